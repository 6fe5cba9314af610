// The upstream side of one client session. For network upstreams (http, sse, websocket) it opens
// its own upstream MCP session lazily, on the first request that needs that service, declaring the
// same client capabilities as the client session, so per-session server state (log level,
// subscriptions, sampling) is exact. A stdio upstream is one process holding one session: shared by
// every client session through the router's pool by default, or, for a service isolated
// per-session, a process of this session's own (capped per service, reaped when idle).
import { type Client, type ClientCapabilities, type LoggingLevel, type LoggingMessageNotification, type Request, type Result, type ResourceUpdatedNotification } from '../sdk/mcp.js';
import { CallAttribution } from './call-attribution.js';
import { liftTaskResults } from './task-results.js';
import { connectUpstream, SwitchboardError, type Logger, type Router, type ServiceEntry, type Transport } from '@switchboard/core';
import type { Isolation, ProcessSlots } from './isolation.js';
import { deliverProgressBeforeResponses } from './progress-order.js';
import { GATEWAY_VERSION } from '../version.js';

/** Transport kinds that carry many sessions over one connection pool, so a session costs only an id. */

/** What the upstream side needs from its client session. */
export interface SessionBridge {
  capabilities(): ClientCapabilities;
  logLevel(): LoggingLevel | undefined;
  /** A request an upstream sent while serving this session (sampling, elicitation, roots). */
  forwardRequest(request: Request, signal: AbortSignal): Promise<Result>;
  log(service: string, params: LoggingMessageNotification['params']): void;
  resourceUpdated(service: string, params: ResourceUpdatedNotification['params']): void;
  /** URIs this session subscribed on `service` (made again when its upstream session is reopened). */
  subscriptionsOn(service: string): string[];
  /** Ties what an upstream sends during a call to that call (see CallAttribution). */
  readonly attribution: CallAttribution<unknown>;
}

/**
 * The bridge of upstream sessions that serve one held call (a 2026-07-28 client's call on a 2025
 * upstream): the upstream's questions go to the call, and there is no session state to keep (no log
 * level, subscriptions, or logs to deliver between rounds).
 */
export function heldCallBridge(capabilities: ClientCapabilities, forwardRequest: SessionBridge['forwardRequest']): SessionBridge {
  return {
    capabilities: () => capabilities,
    logLevel: () => undefined,
    forwardRequest,
    log: () => undefined,
    resourceUpdated: () => undefined,
    subscriptionsOn: () => [],
    attribution: new CallAttribution(),
  };
}

/** The gateway-wide policy a session's upstream side follows. */
export interface UpstreamPolicy {
  isolation(entry: ServiceEntry): Isolation;
  readonly processSlots: ProcessSlots;
  /**
   * 'shared': every upstream through the router's pool, none of its own. A 2026-07-28 client has no
   * session: each of its requests is served on its own, and an upstream session per request would
   * cost a handshake each time.
   */
  readonly scope?: 'per-session' | 'shared';
}

interface Opened {
  client?: Client;
  pending: Promise<Client>;
  /** Operations running on it now; a busy process is never reaped. */
  active: number;
  lastUsed: number;
  /** Per-session processes hold a slot of the service's cap until they end. */
  releaseSlot?: () => void;
}

export class UpstreamSessions {
  private readonly open = new Map<string, Opened>();
  private closed = false;

  constructor(
    private readonly router: Router,
    private readonly transports: ReadonlyMap<string, Transport> | undefined,
    private readonly bridge: SessionBridge,
    private readonly logger: Logger,
    private readonly connectTimeoutMs: number,
    private readonly policy: UpstreamPolicy,
  ) {}

  /** True when this service gets a session of its own (else the shared pool client is used). */
  ownsSession(entry: ServiceEntry): boolean {
    // The transport says whether a connect is a new session on a running server (then every
    // client session gets its own) or starts something of its own (then shared unless isolated).
    if (this.policy.scope === 'shared') return false;
    const transport = this.transports?.get(entry.descriptor.transport);
    if (!transport) return false;
    return transport.multiplexesSessions === true || this.policy.isolation(entry) === 'per-session';
  }

  /** An operation starts on this session's own upstream for `entry`; call the result when it ends. */
  use(entry: ServiceEntry): () => void {
    const opened = this.open.get(entry.name);
    if (!opened) return () => undefined;
    opened.active++;
    opened.lastUsed = Date.now();
    return () => {
      opened.active--;
      opened.lastUsed = Date.now();
    };
  }

  /** End per-session processes unused since `cutoff` (ms epoch); the next request starts a fresh one. */
  reapIdle(cutoff: number): void {
    for (const [name, o] of this.open) {
      if (o.releaseSlot && o.client && o.active === 0 && o.lastUsed < cutoff) {
        this.logger.debug('ending an idle per-session process', { service: name });
        void this.drop(name);
      }
    }
  }

  /**
   * The session clientFor gave for a service is lost or forgotten (called by the router's
   * dispatcher, the one place that renews): this session's own is dropped so the next call opens
   * a fresh one; a shared one is the pool's to renew.
   */
  readonly renew = (entry: ServiceEntry, why: 'forgotten' | 'lost'): void => {
    if (this.ownsSession(entry)) void this.drop(entry.name);
    else if (why === 'forgotten') this.router.pool.renew(entry.name);
    else this.router.pool.invalidate(entry.name, 'upstream session lost');
  };

  readonly clientFor = (entry: ServiceEntry): Promise<Client> => {
    if (this.closed) return Promise.reject(new SwitchboardError('CLOSED', 'the client session has ended', { service: entry.name }));
    if (!this.ownsSession(entry)) return this.router.pool.client(entry.descriptor);
    const existing = this.open.get(entry.name);
    if (existing) return existing.client ? Promise.resolve(existing.client) : existing.pending;
    // A per-session process takes a slot before it is spawned: over the cap, no process at all.
    let releaseSlot: (() => void) | undefined;
    try {
      if (entry.descriptor.transport === 'stdio') releaseSlot = this.policy.processSlots.acquire(entry.name);
    } catch (error) {
      return Promise.reject(error);
    }
    const opened: Opened = { pending: this.connect(entry), active: 0, lastUsed: Date.now(), ...(releaseSlot ? { releaseSlot } : {}) };
    this.open.set(entry.name, opened);
    opened.pending.then(
      (client) => {
        opened.client = client;
      },
      () => {
        opened.releaseSlot?.();
        if (this.open.get(entry.name) === opened) this.open.delete(entry.name);
      },
    );
    return opened.pending;
  };

  /** Clients already open, for fan-out (log level, roots changed). */
  connected(): Array<[string, Client]> {
    const out: Array<[string, Client]> = [];
    for (const [name, o] of this.open) if (o.client) out.push([name, o.client]);
    return out;
  }

  async drop(service: string): Promise<void> {
    const opened = this.open.get(service);
    if (!opened) return;
    this.open.delete(service);
    const client = opened.client ?? (await opened.pending.catch(() => undefined));
    if (!client) return;
    await endUpstreamSession(client).catch((error: unknown) => this.logger.debug('ending the upstream session failed', { service, error }));
    await client.close().catch(() => undefined); // for stdio: ends the process
    opened.releaseSlot?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.open.size === 0) return; // a 2026-07-28 request's, always: its upstreams are the shared ones
    await Promise.all([...this.open.keys()].map((name) => this.drop(name)));
  }

  private async connect(entry: ServiceEntry): Promise<Client> {
    const descriptor = entry.descriptor;
    const logger = this.logger.child({ service: entry.name });
    const capabilities = mirrorCapabilities(this.bridge.capabilities());
    // Core's connector, as the router's pool uses it: one deadline, the gateway refused as its own
    // upstream, and failures said with the service, endpoint and why.
    const { client } = await connectUpstream(descriptor, {
      transports: this.transports!,
      logger,
      timeoutMs: this.connectTimeoutMs,
      clientInfo: { name: 'switchboard-gateway', version: GATEWAY_VERSION },
      capabilities,
      instanceId: this.router.instanceId,
      requestHeaders: () => this.router.outgoingHeaders(), // carries traceparent
      wrap: (transport) => this.bridge.attribution.wrap(transport),
      prepare: (c) => this.wire(entry.name, c, capabilities),
    });
    if (this.closed || this.router.registry.get(entry.name) !== entry) {
      await client.close().catch(() => undefined);
      throw new SwitchboardError('CLOSED', `session on ${entry.name} was released while opening`, { service: entry.name });
    }
    deliverProgressBeforeResponses(client);
    // A 2025 client's call may come back as a task the gateway runs for it (downstream/task-driver.ts).
    liftTaskResults(client);
    client.onclose = () => {
      // The upstream ended it (restart, crash, a per-session process exiting): the next request
      // opens a fresh one.
      const o = this.open.get(entry.name);
      if (o?.client !== client) return;
      this.open.delete(entry.name);
      o.releaseSlot?.();
    };
    const level = this.bridge.logLevel();
    if (level && client.getServerCapabilities()?.logging) await client.setLoggingLevel(level).catch((error: unknown) => logger.debug('setLevel failed', { error }));
    // A reopened session (the upstream restarted or forgot us) gets this session's subscriptions back.
    const uris = client.getServerCapabilities()?.resources?.subscribe ? this.bridge.subscriptionsOn(entry.name) : [];
    for (const uri of uris) {
      await client.subscribeResource({ uri }, { timeout: this.connectTimeoutMs }).catch((error: unknown) => logger.warn('re-subscribing failed', { uri, error }));
    }
    if (uris.length > 0) logger.info('subscriptions made again on a reopened upstream session', { count: uris.length });
    return client;
  }

  private wire(service: string, client: Client, capabilities: ClientCapabilities): void {
    const forward = (request: Request, ctx: { mcpReq: { signal: AbortSignal } }): Promise<Result> => this.bridge.forwardRequest(request, ctx.mcpReq.signal);
    // Handlers only for what the client session declared: the SDK refuses others, rightly. The
    // client's answer is relayed as it is (the SDK checks it against the method's result schema).
    if (capabilities.sampling) client.setRequestHandler('sampling/createMessage', forward as never);
    if (capabilities.elicitation) client.setRequestHandler('elicitation/create', forward as never);
    if (capabilities.roots) client.setRequestHandler('roots/list', forward as never);
    client.setNotificationHandler('notifications/message', (n) => this.bridge.log(service, n.params));
    client.setNotificationHandler('notifications/resources/updated', (n) => this.bridge.resourceUpdated(service, n.params));
  }
}

/**
 * Tell a Streamable HTTP upstream the session is over (HTTP DELETE, as the spec asks), so it frees
 * its state now rather than at its own idle timeout. close() alone only drops the local side.
 */
async function endUpstreamSession(client: Client): Promise<void> {
  const transport = client.transport as { sessionId?: string; terminateSession?: () => Promise<void> } | undefined;
  if (transport?.sessionId && typeof transport.terminateSession === 'function') await transport.terminateSession();
}

/** The client's sampling/elicitation/roots capabilities; experimental and tasks are not proxied. */
function mirrorCapabilities(client: ClientCapabilities): ClientCapabilities {
  const out: ClientCapabilities = {};
  if (client.sampling) out.sampling = client.sampling;
  if (client.elicitation) out.elicitation = client.elicitation;
  if (client.roots) out.roots = client.roots;
  return out;
}
