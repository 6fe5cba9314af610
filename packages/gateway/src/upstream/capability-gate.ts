// Capabilities are honoured across every bridge: a server-to-client request (sampling,
// elicitation, roots) reaches a client only if it declared the capability the request needs. A
// client would not know the method, and a shared upstream must not learn that by trying.
import { ProtocolErrorCode, type Request } from '../sdk/mcp.js';
import { ClientError } from '../downstream/client-error.js';

/** The client capability each forwarded server-to-client request needs. */
const CAPABILITY_OF: Readonly<Record<string, 'sampling' | 'elicitation' | 'roots'>> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** The refusal of `request` for a client with these capabilities, or undefined when it may be asked. */
export function undeclaredCapability(request: Request, capabilities: { sampling?: unknown; elicitation?: unknown; roots?: unknown } | undefined): ClientError | undefined {
  const needed = CAPABILITY_OF[request.method];
  if (!needed || capabilities?.[needed]) return undefined;
  return new ClientError(ProtocolErrorCode.MethodNotFound, `${request.method} refused by the gateway: the client did not declare the ${needed} capability`);
}
