// The one way an upstream is connected, whoever holds the connection (the router's shared pool or
// a gateway client session's own): build the transport with its plugin, connect an MCP client
// over it, refuse this gateway itself, and, on failure, say why in words an operator can act on.
// The whole connect has one deadline, whatever step stalls. Callers decide the scope (shared, per
// client session) and what happens after; each connection records the protocol era it speaks.
import type { LinkEnd, Transport, TransportContext } from './contracts.js';
import { describeLinkEnd, reportsLinkEnd } from './contracts.js';
import type { ServiceDescriptor } from './descriptor.js';
import { SwitchboardError } from './errors.js';
import type { MessageTransport } from './jsonrpc.js';
import type { Logger } from './logger.js';
import { BUILTIN_PLUGIN_PACKAGES } from './builtins.js';
import { Client, ProtocolError, SdkError, SdkErrorCode, type ClientCapabilities, type Implementation } from './sdk/mcp.js';
import { refuseSelf } from './self-recognition.js';

/** The protocol eras an upstream can speak; every upstream is 2025-era (initialize, sessions) today. */
export type ProtocolEra = '2025';

export interface UpstreamConnection {
  readonly client: Client;
  readonly transport: MessageTransport;
  readonly era: ProtocolEra;
  /** The revision agreed at initialize (for example 2025-11-25). */
  readonly protocolVersion: string | undefined;
  /** How the link ended, once it has, when the transport can tell (exit code, stderr). */
  linkEnd(): LinkEnd | undefined;
}

export interface ConnectUpstreamOptions {
  readonly transports: ReadonlyMap<string, Transport>;
  /** The transport plugin's logger (stderr lines, link problems). */
  readonly logger: Logger;
  /** Per MCP request of the handshake; the whole connect is bounded by twice this. */
  readonly timeoutMs: number;
  readonly clientInfo: Implementation;
  readonly capabilities?: ClientCapabilities;
  /** This router's instance id: an upstream announcing it is this gateway and is refused. */
  readonly instanceId?: string;
  readonly requestHeaders?: TransportContext['requestHeaders'];
  /** Wrap the transport before the client sees it (the gateway ties messages to calls here). */
  readonly wrap?: (transport: MessageTransport) => MessageTransport;
  /** Handlers to set on the client before it connects (requests the server may send at once). */
  readonly prepare?: (client: Client) => void;
  /** More handshake work inside the same deadline (listing tools); `within` bounds a step. */
  readonly after?: (client: Client, within: <T>(step: Promise<T>) => Promise<T>) => Promise<void>;
}

type Stage = 'transport' | 'initialize' | 'after';

export async function connectUpstream(descriptor: ServiceDescriptor, options: ConnectUpstreamOptions): Promise<UpstreamConnection> {
  const plugin = options.transports.get(descriptor.transport);
  if (!plugin) throw new SwitchboardError('TRANSPORT_MISSING', missingTransportMessage(descriptor, [...options.transports.keys()]), { service: descriptor.name });
  const client = new Client(options.clientInfo, { capabilities: options.capabilities ?? {} });
  options.prepare?.(client);
  // One bound on the whole connect, whatever step stalls (a spawn, a transport plugin, a server
  // that accepts and never answers): a connect that never settles would leave the service
  // "connecting" for good, with every call queued behind it.
  const limit = 2 * options.timeoutMs;
  let stalled: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    stalled = setTimeout(() => reject(new SwitchboardError('TRANSPORT_ERROR', `connect did not finish within ${limit} ms`, { service: descriptor.name })), limit);
  });
  const within = <T>(step: Promise<T>): Promise<T> => Promise.race([step, bound]);
  const building = Promise.resolve().then(() =>
    plugin.connect(descriptor, { logger: options.logger, ...(options.requestHeaders ? { requestHeaders: options.requestHeaders } : {}) }),
  );
  let transport: MessageTransport | undefined;
  let protocolVersion: string | undefined;
  let stage: Stage = 'transport';
  try {
    transport = await within(building);
    const link = options.wrap ? options.wrap(transport) : transport;
    // The SDK tells the transport the revision agreed at initialize; record it on the way.
    const tell = link.setProtocolVersion?.bind(link);
    link.setProtocolVersion = (version: string): void => {
      protocolVersion = version;
      tell?.(version);
    };
    stage = 'initialize';
    await within(client.connect(link, { timeout: options.timeoutMs }));
    if (options.instanceId) refuseSelf(descriptor.name, describeEndpoint(descriptor), client.getServerCapabilities()?.experimental, options.instanceId);
    stage = 'after';
    await options.after?.(client, within);
  } catch (error) {
    await client.close().catch(() => undefined);
    // A transport the plugin delivers after we gave up is closed, not leaked.
    if (transport === undefined) void building.then((late) => late.close(), () => undefined).catch(() => undefined);
    throw connectError(descriptor, stage, error, transport, options.timeoutMs);
  } finally {
    clearTimeout(stalled);
  }
  const linked = transport;
  return {
    client,
    transport: linked,
    era: '2025',
    protocolVersion,
    linkEnd: () => (reportsLinkEnd(linked) ? linked.linkEnd() : undefined),
  };
}

/**
 * An error that already names its service is passed on; anything else is said with the service
 * and endpoint and why, in words an operator can act on (how a process ended and what it last
 * wrote to stderr, or that whatever answered does not speak MCP), keeping the code and LinkFault.
 */
function connectError(descriptor: ServiceDescriptor, stage: Stage, error: unknown, transport: MessageTransport | undefined, timeoutMs: number): SwitchboardError {
  if (SwitchboardError.is(error) && error.service !== undefined) return error;
  return new SwitchboardError(SwitchboardError.is(error) ? error.code : 'TRANSPORT_ERROR', `cannot connect to ${descriptor.name} (${describeEndpoint(descriptor)}): ${connectFailure(stage, error, transport, timeoutMs)}`, {
    service: descriptor.name,
    cause: error,
    ...(SwitchboardError.is(error) && error.link ? { link: error.link } : {}),
  });
}

function connectFailure(stage: Stage, error: unknown, transport: MessageTransport | undefined, timeoutMs: number): string {
  const end = reportsLinkEnd(transport) ? transport.linkEnd() : undefined;
  const step = stage === 'after' ? 'listing its tools' : 'answering initialize';
  if (end) return describeLinkEnd(end, `before ${step}`);
  if (stage === 'initialize') {
    if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) return `it did not answer initialize within ${timeoutMs} ms; is it an MCP server?`;
    if (error instanceof ProtocolError) return `it answered initialize with an error (${error.message}); is it an MCP server?`;
  }
  return (error as Error).message;
}

export function describeEndpoint(d: ServiceDescriptor): string {
  return d.transport === 'stdio' ? `stdio: ${[d.command, ...d.args].join(' ')}` : `${d.transport} ${d.url}`;
}

/** Names the package that provides a missing transport, as the missing-discovery message does. */
export function missingTransportMessage(descriptor: Pick<ServiceDescriptor, 'name' | 'transport'>, loaded: readonly string[]): string {
  const pkg = BUILTIN_PLUGIN_PACKAGES.transport[descriptor.transport];
  const provider = pkg ? `install ${pkg} (pnpm add ${pkg}) or list it in plugins:` : `install the package that provides transport '${descriptor.transport}' and list it in plugins:`;
  return `no transport for '${descriptor.transport}' (service ${descriptor.name}); ${provider} transports loaded: ${loaded.join(', ') || 'none'}`;
}
