// The one way an upstream is connected, whoever holds the connection (the router's shared pool or
// a gateway client session's own): build the transport with its plugin, connect an MCP client
// over it, refuse this gateway itself, and, on failure, say why in words an operator can act on.
// The whole connect has one deadline, whatever step stalls. Callers decide the scope (shared, per
// client session) and what happens after; each connection records the protocol era it speaks.
import type { LinkEnd, Transport, TransportContext } from './contracts.js';
import { describeLinkEnd, reportsLinkEnd } from './contracts.js';
import { maxMessageBytes, type ServiceDescriptor } from './descriptor.js';
import { boundedListWalks, LIST_WALK_MESSAGES } from './list-budget.js';
import { SwitchboardError } from './errors.js';
import type { MessageTransport } from './jsonrpc.js';
import type { Logger } from './logger.js';
import { BUILTIN_PLUGIN_PACKAGES } from './builtins.js';
import { Client, ProtocolError, SdkError, SdkErrorCode, UpstreamClient, type ClientCapabilities, type Implementation, type PriorDiscovery } from './sdk/mcp.js';
import { refuseSelf } from './self-recognition.js';
import { probeEra } from './era-probe.js';
import { holdLogs } from './held-logger.js';
import { transportView } from './transport-view.js';
import { linkFaultOf, transportErrorOf } from './link-faults.js';
import type { EraVerdicts } from './era-verdicts.js';

/**
 * The protocol eras an upstream can speak: '2025' opens with `initialize` and keeps a session
 * (2025-11-25 and earlier); '2026' is the stateless 2026-07-28 revision (`server/discover`,
 * per-request `_meta`).
 */
export type ProtocolEra = '2025' | '2026';

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
  /** Era verdicts already learned, by endpoint (see era-verdicts.ts); without it every connect probes. */
  readonly eras?: EraVerdicts;
  /** Wrap the transport before the client sees it (the gateway ties messages to calls here). */
  readonly wrap?: (transport: MessageTransport) => MessageTransport;
  /** Handlers to set on the client before it connects (requests the server may send at once). */
  readonly prepare?: (client: Client) => void;
  /** More handshake work inside the same deadline (listing tools); `within` bounds a step. */
  readonly after?: (client: Client, within: <T>(step: Promise<T>) => Promise<T>) => Promise<void>;
}

type Stage = 'transport' | 'probe' | 'initialize' | 'after';

export async function connectUpstream(descriptor: ServiceDescriptor, options: ConnectUpstreamOptions): Promise<UpstreamConnection> {
  const plugin = options.transports.get(descriptor.transport);
  if (!plugin) throw new SwitchboardError('TRANSPORT_MISSING', missingTransportMessage(descriptor, [...options.transports.keys()]), { service: descriptor.name });
  const client: Client = new UpstreamClient(options.clientInfo, { capabilities: options.capabilities ?? {} });
  options.prepare?.(client);
  // One bound on the whole connect, whatever step stalls (a spawn, a transport plugin, a server
  // that accepts and never answers): a connect that never settles would leave the service
  // "connecting" for good, with every call queued behind it.
  // One request timeout more is allowed while the era probe runs (its own timeout bounds it).
  let limit = 2 * options.timeoutMs;
  const startedAt = performance.now();
  let stalled: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    const check = (): void => {
      const left = startedAt + limit - performance.now();
      if (left > 0) stalled = setTimeout(check, left);
      else reject(new SwitchboardError('TRANSPORT_ERROR', `connect did not finish within ${limit} ms`, { service: descriptor.name }));
    };
    stalled = setTimeout(check, limit);
  });
  const within = <T>(step: Promise<T>): Promise<T> => Promise.race([step, bound]);
  const mode = descriptor.protocol ?? 'auto';
  const cached = mode === 'legacy' ? undefined : options.eras?.get(descriptor);
  let prior: PriorDiscovery | undefined = mode === 'legacy' ? { kind: 'legacy' } : cached;
  // While the era is unknown, what the transport logs is held: a process that exits on the probe
  // and is started again is not worth the operator's attention (see held-logger.ts).
  const held = prior === undefined ? holdLogs(options.logger) : undefined;
  const build = (logger: Logger): Promise<MessageTransport> =>
    Promise.resolve().then(() => plugin.connect(descriptor, { logger, ...(options.requestHeaders ? { requestHeaders: options.requestHeaders } : {}) }));
  let building = build(held?.logger ?? options.logger);
  let transport: MessageTransport | undefined;
  let protocolVersion: string | undefined;
  let stage: Stage = 'transport';
  try {
    transport = await within(building);
    let link = options.wrap ? options.wrap(transport) : transport;
    if (prior === undefined) {
      await within(link.start());
      stage = 'probe';
      limit += options.timeoutMs;
      const outcome = await within(
        probeEra(link, {
          timeoutMs: options.timeoutMs,
          clientInfo: options.clientInfo,
          capabilities: options.capabilities ?? {},
          silenceIsLegacy: descriptor.url === undefined,
          service: descriptor.name,
        }),
      );
      prior = outcome.verdict.era === 'modern' ? { kind: 'modern', discover: outcome.verdict.discover } : { kind: 'legacy' };
      if (mode === 'modern' && prior.kind === 'legacy') {
        throw new SwitchboardError('PROTOCOL_UNSUPPORTED', `${descriptor.name} is configured with protocol: modern, but it is a legacy (2025) server: ${outcome.verdict.era === 'legacy' ? outcome.verdict.reason : ''}`, { service: descriptor.name });
      }
      options.eras?.set(descriptor, prior);
      options.logger.debug('upstream protocol era', { era: prior.kind, ...(outcome.verdict.era === 'legacy' ? { reason: outcome.verdict.reason } : {}) });
      if (outcome.linkClosed) {
        // A legacy server that exits on an unknown request: start it again for the session.
        held?.quiet();
        await transport.close().catch(() => undefined);
        stage = 'transport';
        building = build(options.logger);
        transport = await within(building);
        link = options.wrap ? options.wrap(transport) : transport;
      } else {
        held?.keep();
        link = startedLink(link);
      }
    }
    // The SDK tells the transport the revision agreed at initialize; record it on the way.
    const tell = link.setProtocolVersion?.bind(link);
    link.setProtocolVersion = (version: string): void => {
      protocolVersion = version;
      tell?.(version);
    };
    stage = 'initialize';
    link = boundedListWalks(link, LIST_WALK_MESSAGES * maxMessageBytes(descriptor), descriptor.name);
    await within(client.connect(link, { timeout: options.timeoutMs, ...(prior.kind === 'modern' ? { prior } : {}) }));
    protocolVersion = client.getNegotiatedProtocolVersion() ?? protocolVersion;
    if (options.instanceId) refuseSelf(descriptor.name, describeEndpoint(descriptor), client.getServerCapabilities()?.experimental, options.instanceId);
    stage = 'after';
    await options.after?.(client, within);
  } catch (error) {
    held?.keep();
    // A cached verdict is forgotten when the failure is evidence against it (the server answered
    // the opening with an error: it was upgraded or downgraded), not when a process merely died.
    if (cached && stage === 'initialize' && !linkEnded(transport) && refusedOpening(error)) options.eras?.forget(descriptor);
    await client.close().catch(() => undefined);
    // A transport the plugin delivers after we gave up is closed, not leaked.
    if (transport === undefined) void building.then((late) => late.close(), () => undefined).catch(() => undefined);
    else if (stage === 'probe' || stage === 'transport') await transport.close().catch(() => undefined);
    throw connectError(descriptor, stage, error, transport, options.timeoutMs);
  } finally {
    clearTimeout(stalled);
  }
  const linked = transport;
  return {
    client,
    transport: linked,
    era: client.getProtocolEra() === 'modern' ? '2026' : '2025',
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
  // A message refused here (too large, nested too deep) is why, even though the link has ended by
  // now: the failed connect closed it, and a stdio server then exits as it should.
  const refused = transportErrorOf(error);
  if (refused?.link?.kind === 'too-large' || refused?.link?.kind === 'protocol') return refused.message;
  const end = reportsLinkEnd(transport) ? transport.linkEnd() : undefined;
  const step = stage === 'after' ? 'listing its tools' : stage === 'probe' ? 'answering server/discover' : 'answering initialize';
  if (end) return describeLinkEnd(end, `before ${step}`);
  if (stage === 'initialize') {
    if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) return `it did not answer initialize within ${timeoutMs} ms; is it an MCP server?`;
    if (error instanceof ProtocolError) return `it answered initialize with an error (${error.message}); is it an MCP server?`;
  }
  return (error as Error).message;
}

function linkEnded(transport: MessageTransport | undefined): boolean {
  return reportsLinkEnd(transport) && transport.linkEnd() !== undefined;
}

/** The server refused the opening request itself (a JSON-RPC error, or an HTTP 4xx), rather than the link failing. */
function refusedOpening(error: unknown): boolean {
  if (error instanceof ProtocolError) return true;
  const fault = linkFaultOf(error);
  return fault?.kind === 'http-status' && fault.status !== undefined && fault.status >= 400 && fault.status < 500;
}

/**
 * The link as the SDK client should see it once the era probe has started it: the client's
 * connect() starts its transport, and a plugin's transport may refuse a second start.
 */
function startedLink(link: MessageTransport): MessageTransport {
  // Everything else is the transport itself (its pid, its session, its own methods), as the
  // gateway and the plugin's own code expect to read it through the client.
  const start = { value: (): Promise<void> => Promise.resolve() };
  return transportView(link, { get: (property) => (property === 'start' ? start : undefined) });
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
