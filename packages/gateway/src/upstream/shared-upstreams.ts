// Attribution on shared upstream connections (the router's pool client, one per service, used by
// every client session: stdio services by default). Progress carries its token and is matched by
// the SDK client. Log messages and server-to-client requests (sampling, elicitation, roots) carry no
// request id in the 2025 protocol, so on the wire a late message from session A's finished call
// looks exactly like one from session B's call in flight. No timing rule can tell them apart, so
// the rule is tenancy: while only one client session has ever used a connection (since it was
// opened), what it sends belongs to that session, and to its one call in flight when it has one;
// once a second session has used the connection, such messages are dropped (requests answered with
// a JSON-RPC error), counted, and the operator is told once that `isolation: per-session` gives
// that service exact attribution. Nothing ever reaches a session it was not meant for.
import { type Client, ProtocolErrorCode, type LoggingMessageNotification, type Request, type Result } from '../sdk/mcp.js';
import type { Logger } from '@switchboard/core';
import { ClientError } from '../downstream/client-error.js';
import { deliverProgressBeforeResponses } from './progress-order.js';

/** One client call as a shared upstream sees it: where what it causes is delivered. */
export interface SharedCall {
  log(service: string, params: LoggingMessageNotification['params']): void;
  forwardRequest(request: Request, signal: AbortSignal): Promise<Result>;
}

/** The client session a call belongs to (compared by identity), with a session-wide fallback. */
export interface SharedTenant {
  /** Session-wide delivery, for a message that arrives between the tenant's calls. */
  readonly idle: SharedCall;
}

export type UnattributedKind = 'log' | 'request';

const FORWARDED_REQUESTS = new Set(['sampling/createMessage', 'elicitation/create', 'roots/list']);

interface Connection {
  readonly service: string;
  /** The one session that has used this connection; 'several' once another one has. */
  tenant: SharedTenant | 'several' | undefined;
  /** Calls in flight, in the order they began. */
  readonly calls: Set<SharedCall>;
  warned: boolean;
}

export class SharedUpstreams {
  private readonly connections = new WeakMap<Client, Connection>();

  constructor(
    private readonly logger: Logger,
    private readonly onDropped?: (service: string, kind: UnattributedKind) => void,
  ) {}

  /** A session's call goes out over the shared connection `client`; call the result when it is answered. */
  begin(client: Client, service: string, tenant: SharedTenant, call: SharedCall): () => void {
    const connection = this.connection(client, service);
    if (connection.tenant === undefined) connection.tenant = tenant;
    else if (connection.tenant !== tenant) connection.tenant = 'several';
    connection.calls.add(call);
    return () => void connection.calls.delete(call);
  }

  /** Install the attribution handlers on a shared connection (idempotent). */
  attach(service: string, client: Client): void {
    if (this.connections.has(client)) return;
    this.connection(client, service);
    deliverProgressBeforeResponses(client);
    client.setNotificationHandler('notifications/message', (n) => {
      const target = this.target(client);
      if (target) target.log(service, n.params);
      else this.drop(client, 'log', 'notifications/message');
    });
    // A fallback, not setRequestHandler: the pool client declares no sampling/elicitation/roots
    // capability, and the SDK refuses handlers for undeclared capabilities.
    client.fallbackRequestHandler = async (request, ctx) => {
      if (!FORWARDED_REQUESTS.has(request.method)) throw new ClientError(ProtocolErrorCode.MethodNotFound, `Method not found: ${request.method}`);
      const target = this.target(client);
      if (!target) {
        const reason = this.drop(client, 'request', request.method);
        throw new ClientError(ProtocolErrorCode.InvalidRequest, `${request.method} refused by the gateway: ${reason}`);
      }
      return target.forwardRequest({ method: request.method, ...(request.params ? { params: request.params } : {}) }, ctx.mcpReq.signal);
    };
  }

  private connection(client: Client, service: string): Connection {
    let connection = this.connections.get(client);
    if (!connection) this.connections.set(client, (connection = { service, tenant: undefined, calls: new Set(), warned: false }));
    return connection;
  }

  /** Where a message with no request id goes: the tenant's one call in flight, or the tenant itself. */
  private target(client: Client): SharedCall | undefined {
    const connection = this.connections.get(client);
    const tenant = connection?.tenant;
    if (!connection || tenant === undefined || tenant === 'several') return undefined;
    if (connection.calls.size === 1) return connection.calls.values().next().value;
    return tenant.idle;
  }

  private drop(client: Client, kind: UnattributedKind, method: string): string {
    const connection = this.connections.get(client);
    const service = connection?.service ?? '';
    this.onDropped?.(service, kind);
    const reason =
      connection?.tenant === 'several'
        ? 'several client sessions share this upstream connection and the message names no request'
        : 'no client session has used this upstream connection';
    if (connection && !connection.warned && connection.tenant === 'several') {
      connection.warned = true;
      this.logger.warn('a shared upstream sent a message that names no request; dropped, as it is for every such message on this connection', {
        service,
        method,
        hint: 'set isolation: per-session for this service to have its log messages and sampling, elicitation and roots requests delivered',
      });
    } else {
      this.logger.debug('unattributed message from a shared upstream dropped', { service, method });
    }
    return reason;
  }
}
