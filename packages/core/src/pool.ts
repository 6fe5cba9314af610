// One MCP client per upstream service, connected lazily and shared by all router callers. The pool
// owns connecting, listing tools (and re-listing on list_changed), reconnecting after a drop, and
// closing every client (and so every stdio child) on close().
import { connectUpstream, type ProtocolEra, type UpstreamConnection } from './connector.js';
import { EraVerdicts } from './era-verdicts.js';
import { type Client, type ClientCapabilities } from './sdk/mcp.js';
import { coalescedRereads } from './coalesced-rereads.js';
import { CATALOG_LISTS, isStale, offeredLists, readLists, watchLists, type CatalogList, type ListFreshness, type UpstreamCatalog } from './upstream-catalog.js';
import { describeLinkEnd, type Transport } from './contracts.js';
import type { ServiceDescriptor } from './descriptor.js';
import { SwitchboardError } from './errors.js';
import type { Logger } from './logger.js';
import { CORE_VERSION } from './version.js';

interface Connection {
  descriptor: ServiceDescriptor;
  client?: Client;
  pending?: Promise<Client>;
  /** Failed connects or short-lived connections in a row; drives the backoff. */
  failures: number;
  /** No connect is tried before this time (performance.now() ms): calls fail fast meanwhile. */
  nextAttemptAt: number;
  connectedAt: number;
  everConnected: boolean;
  restarts: number;
  lastError?: string;
  /** The protocol era and revision agreed at the last connect. */
  era?: ProtocolEra;
  protocolVersion?: string;
  /** The reason last written to the log at error level (a crash loop is logged once per reason). */
  lastLoggedReason?: string;
  /** The supervisor's scheduled reconnect. */
  timer?: NodeJS.Timeout;
  /** The catalogue lists read after the last connect (see readCatalog). */
  catalogRead?: Promise<void>;
  /** When each list was read and its cache hint, for this connection (see freshen). */
  freshness?: Partial<Record<CatalogList, ListFreshness>>;
  /** Read lists again and hand them to onCatalog (set by readCatalog for the current connection). */
  reread?: (lists: readonly CatalogList[]) => Promise<void>;
  /** Stale-list reads in flight, shared by concurrent callers. */
  freshening?: Map<string, Promise<void>>;
}

export interface ConnectionState {
  connected: boolean;
  /** A connect is under way. */
  connecting: boolean;
  restarts: number;
  consecutiveFailures: number;
  /** Milliseconds until the next connect is allowed (0 when it may happen now). */
  backoffMs: number;
  lastError?: string;
  /** The protocol era and revision agreed at the last connect. */
  era?: ProtocolEra;
  protocolVersion?: string;
}

/** A subscriptions/listen stream that ends sooner than this after opening is reopened with backoff. */
const LISTEN_STABLE_MS = 5_000;
/** A connection that dies sooner than this after starting counts toward a crash loop. */
const SHORT_LIVED_MS = 10_000;
const CRASH_LOOP_REPORT_AT = 5;

export interface UpstreamPoolOptions {
  transports: ReadonlyMap<string, Transport>;
  logger: Logger;
  connectTimeoutMs: number;
  /**
   * Called with the upstream's catalogue: tools (all four lists, once the rest are read) after
   * connecting, then each list the upstream says changed, as it is read again.
   */
  onCatalog(name: string, lists: Partial<UpstreamCatalog>): void;
  /** Called when an upstream connection closes by itself (process exit, socket drop). */
  onDisconnect(name: string, reason: string): void;
  /** What the shared clients declare (the gateway declares sampling, elicitation and roots). */
  clientCapabilities?: ClientCapabilities;
  /** Per-request extra headers for HTTP transports (observers' traceparent). */
  requestHeaders?: () => Record<string, string> | undefined;
  /** Called with every newly connected client, before it is handed out (to attach handlers). */
  onClient?(name: string, client: Client): void;
  /** Called when a service that had dropped is connected again. */
  onReconnect?(name: string): void;
  /** Reconnect backoff: base and cap in ms (exponential with jitter). Defaults 100 ms and 30 s. */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Reconnect on its own after a drop (restart a stdio server), instead of on the next call. */
  supervise?: boolean;
  /** This router's instance id: an upstream announcing it is this gateway itself and is refused. */
  instanceId?: string;
}

export class UpstreamPool {
  private readonly connections = new Map<string, Connection>();
  private closed = false;
  /** Each endpoint's protocol era, learned once; shared with every connect to it (the gateway's per-session ones too). */
  readonly eras = new EraVerdicts();

  constructor(private readonly options: UpstreamPoolOptions) {}

  /**
   * The connected client for a service, connecting if needed (concurrent callers share one connect).
   * `probe` (health checks) connects even while backing off: a probe on its own interval is how a
   * recovered server is found without waiting out a long backoff.
   */
  client(descriptor: ServiceDescriptor, options: { probe?: boolean } = {}): Promise<Client> {
    if (this.closed) return Promise.reject(new SwitchboardError('CLOSED', 'the router is closed', { service: descriptor.name }));
    let conn = this.connections.get(descriptor.name);
    if (conn && conn.descriptor !== descriptor) {
      // The descriptor changed (new url, new command): the old connection is for something else.
      void this.drop(descriptor.name);
      conn = undefined;
    }
    if (!conn) {
      conn = { descriptor, failures: 0, nextAttemptAt: 0, connectedAt: 0, everConnected: false, restarts: 0 };
      this.connections.set(descriptor.name, conn);
    }
    if (conn.client) return Promise.resolve(conn.client);
    if (conn.pending) return conn.pending;
    const wait = conn.nextAttemptAt - performance.now();
    if (wait > 0 && !options.probe) {
      // Backing off after failures: fail at once (the call never left, so it fails over safely).
      return Promise.reject(
        new SwitchboardError('TRANSPORT_ERROR', `${descriptor.name} is down (${conn.lastError ?? 'connection failed'}); reconnecting in ${Math.ceil(wait)} ms`, {
          service: descriptor.name,
        }),
      );
    }
    return (conn.pending = this.connect(conn));
  }

  /** Supervision state of a service's connection, for health reports. */
  state(name: string): ConnectionState | undefined {
    const conn = this.connections.get(name);
    if (!conn) return undefined;
    return {
      connected: conn.client !== undefined,
      connecting: conn.pending !== undefined,
      restarts: conn.restarts,
      consecutiveFailures: conn.failures,
      backoffMs: Math.max(0, Math.round(conn.nextAttemptAt - performance.now())),
      ...(conn.lastError ? { lastError: conn.lastError } : {}),
      ...(conn.era ? { era: conn.era } : {}),
      ...(conn.protocolVersion ? { protocolVersion: conn.protocolVersion } : {}),
    };
  }

  /**
   * The server forgot our session (it restarted) but is up: drop the client and connect again at
   * once, without the backoff a failure earns.
   */
  renew(name: string): void {
    const conn = this.connections.get(name);
    const client = conn?.client;
    if (!conn || !client) return;
    conn.client = undefined;
    conn.nextAttemptAt = 0;
    void client.close().catch(() => undefined);
  }

  /**
   * The upstream's session is no longer usable (the link is dead although no close was seen):
   * close the client so the next call connects afresh, after the backoff a failure earns.
   */
  invalidate(name: string, reason: string): void {
    const conn = this.connections.get(name);
    const client = conn?.client;
    if (!conn || !client) return;
    conn.client = undefined;
    // The era assumed may be what stopped working (the server was upgraded): probe on the next connect.
    this.eras.forget(conn.descriptor);
    this.recordDrop(conn, reason);
    void client.close().catch(() => undefined);
  }

  private backoffMs(failures: number): number {
    const base = this.options.reconnectBaseMs ?? 100;
    const cap = this.options.reconnectMaxMs ?? 30_000;
    const ceiling = Math.min(cap, base * 2 ** Math.max(0, failures - 1));
    return ceiling / 2 + (Math.random() * ceiling) / 2; // "equal jitter": never near zero, never synchronised
  }

  private recordDrop(conn: Connection, reason: string): void {
    const lived = performance.now() - conn.connectedAt;
    conn.failures = lived < SHORT_LIVED_MS ? conn.failures + 1 : 1;
    conn.lastError = reason;
    const delay = this.backoffMs(conn.failures);
    conn.nextAttemptAt = performance.now() + delay;
    // Said once when the loop starts, and again only if the reason changes: a server failing the
    // same way every few seconds must not fill the log.
    const repeated = reason === conn.lastLoggedReason;
    if (conn.failures >= CRASH_LOOP_REPORT_AT && (conn.failures === CRASH_LOOP_REPORT_AT || !repeated)) {
      this.options.logger.error('upstream is crash-looping; backing off', { service: conn.descriptor.name, failuresInARow: conn.failures, backoffMs: Math.round(delay), reason });
      conn.lastLoggedReason = reason;
    }
    this.schedule(conn, delay);
  }

  /** The supervisor: reconnect after the backoff, again and again, until it works or is dropped. */
  private schedule(conn: Connection, delay: number): void {
    if (!this.options.supervise || this.closed) return;
    if (conn.timer) clearTimeout(conn.timer);
    conn.timer = setTimeout(() => {
      conn.timer = undefined;
      if (this.closed || this.connections.get(conn.descriptor.name) !== conn || conn.client || conn.pending) return;
      // The supervisor decides when to try, so the backoff gate must not refuse it (a refusal
      // would schedule nothing and leave the service down for good). A failure schedules the next try.
      this.client(conn.descriptor, { probe: true }).catch(() => undefined);
    }, delay + 1);
    conn.timer.unref();
  }

  /** The client if already connected, without connecting. */
  connected(name: string): Client | undefined {
    return this.connections.get(name)?.client;
  }

  async drop(name: string): Promise<void> {
    const conn = this.connections.get(name);
    if (!conn) return;
    this.connections.delete(name);
    if (conn.timer) clearTimeout(conn.timer);
    // Detach first: a close we asked for is not an upstream failure.
    const client = conn.client ?? (await conn.pending?.catch(() => undefined));
    conn.client = undefined;
    await client?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const conn of this.connections.values()) if (conn.timer) clearTimeout(conn.timer);
    await Promise.all([...this.connections.keys()].map((name) => this.drop(name)));
  }

  private async connect(conn: Connection): Promise<Client> {
    const { descriptor } = conn;
    const logger = this.options.logger.child({ service: descriptor.name });
    let connection: UpstreamConnection;
    try {
      connection = await connectUpstream(descriptor, {
        transports: this.options.transports,
        // Once it has failed again soon after a restart, what the process prints on each start
        // (the same stderr lines, again and again) goes to debug; the failure message carries its
        // last lines.
        logger: conn.failures >= 2 ? toDebug(logger) : logger,
        timeoutMs: this.options.connectTimeoutMs,
        clientInfo: { name: 'switchboard', version: CORE_VERSION },
        ...(this.options.clientCapabilities ? { capabilities: this.options.clientCapabilities } : {}),
        ...(this.options.instanceId ? { instanceId: this.options.instanceId } : {}),
        ...(this.options.requestHeaders ? { requestHeaders: this.options.requestHeaders } : {}),
        eras: this.eras,
        after: async (client, within) => {
          if (this.connections.get(descriptor.name) !== conn || this.closed) {
            throw new SwitchboardError('CLOSED', `connection to ${descriptor.name} was dropped while connecting`, { service: descriptor.name });
          }
          await within(this.readCatalog(conn, client, logger));
        },
      });
    } catch (error) {
      conn.pending = undefined;
      const wrapped = SwitchboardError.from(error, { code: 'TRANSPORT_ERROR', service: descriptor.name });
      if (this.connections.get(descriptor.name) === conn && !this.closed && wrapped.code !== 'CLOSED' && wrapped.code !== 'TRANSPORT_MISSING') {
        conn.connectedAt = performance.now();
        this.recordDrop(conn, wrapped.message);
      }
      throw wrapped;
    }
    const { client } = connection;
    client.onclose = () => {
      if (conn.client !== client) return;
      conn.client = undefined;
      conn.pending = undefined;
      const end = connection.linkEnd();
      const reason = end ? `connection closed: ${describeLinkEnd(end)}` : 'connection closed';
      logger.warn('upstream connection closed', end ? { reason } : {});
      this.recordDrop(conn, reason);
      this.options.onDisconnect(descriptor.name, reason);
    };
    this.options.onClient?.(descriptor.name, client);
    conn.client = client;
    conn.protocolVersion = connection.protocolVersion;
    conn.era = connection.era;
    conn.pending = undefined;
    conn.connectedAt = performance.now();
    conn.lastLoggedReason = undefined;
    if (conn.everConnected) {
      conn.restarts++;
      logger.info('upstream reconnected', { restarts: conn.restarts });
      this.options.onReconnect?.(descriptor.name);
    }
    conn.everConnected = true;
    return client;
  }

  /**
   * The upstream's catalogue on a new connection. Tools are read within the connect (a call routed
   * here needs them; failing to read them fails the connect). Resources, templates and prompts are
   * read beside them but not waited for: a slow resources/list must not hold up the first call.
   * `catalogRead(name)` waits for them. Each list is then re-read when the upstream says it changed;
   * a read that a newer one overtook, or one for a connection since replaced, is dropped.
   */
  private async readCatalog(conn: Connection, client: Client, logger: Logger): Promise<void> {
    const name = conn.descriptor.name;
    const offered = offeredLists(client);
    const timeout = this.options.connectTimeoutMs;
    const latest = new Map<CatalogList, number>();
    let reads = 0;
    conn.freshness = {};
    const read = (lists: readonly CatalogList[]): Promise<Partial<UpstreamCatalog>> => {
      const seq = ++reads;
      for (const l of lists) latest.set(l, seq);
      return readLists(client, lists, timeout, logger).then((got) => {
        if (this.connections.get(name) !== conn || this.closed || (conn.client !== undefined && conn.client !== client)) return {};
        const current: Record<string, unknown> = {};
        const freshness: Partial<Record<CatalogList, ListFreshness>> = {};
        for (const l of CATALOG_LISTS) {
          if (got[l] === undefined || latest.get(l) !== seq) continue;
          current[l] = got[l];
          const f = got.freshness?.[l];
          if (f) freshness[l] = f;
        }
        conn.freshness = { ...conn.freshness, ...freshness };
        return { ...current, ...(Object.keys(freshness).length > 0 ? { freshness } : {}) } as Partial<UpstreamCatalog>;
      });
    };
    conn.reread = (lists) => read(lists).then((got) => void (Object.keys(got).length > 0 && this.options.onCatalog(name, got)));
    const rest = offered.filter((l) => l !== 'tools');
    // A list the upstream does not offer is empty now, even if an earlier connection had one.
    const absent: Partial<UpstreamCatalog> = {
      ...(offered.includes('tools') ? {} : { tools: [] }),
      ...(offered.includes('resources') ? {} : { resources: [], resourceTemplates: [] }),
      ...(offered.includes('prompts') ? {} : { prompts: [] }),
    };
    const others = read(rest);
    conn.catalogRead = others.then(
      (lists) => void (Object.keys(lists).length > 0 && this.options.onCatalog(name, lists)),
      (error: unknown) => logger.warn('listing resources and prompts failed', { error }),
    );
    this.options.onCatalog(name, { ...absent, ...(offered.includes('tools') ? await read(['tools']) : {}) });
    watchLists(
      client,
      offered,
      coalescedRereads(conn.reread, (lists, error) => logger.warn('re-reading a changed list failed', { lists, error })),
    );
    if (client.getProtocolEra() === 'modern') this.listen(conn, client, logger);
  }

  /**
   * A 2026-07-28 upstream sends list changes only on a `subscriptions/listen` stream the client
   * opens; the notifications on it reach the same handlers as a 2025 upstream's unsolicited ones.
   * Opened again if the upstream ends it while the connection is in use (it restarted).
   */
  private listen(conn: Connection, client: Client, logger: Logger, attempt = 0): void {
    const filter = listenFilter(client);
    if (!filter) return;
    const live = (): boolean => this.connections.get(conn.descriptor.name) === conn && !this.closed && (conn.client === undefined || conn.client === client);
    client
      .listen(filter, { timeout: this.options.connectTimeoutMs })
      .then(async (subscription) => {
        const openedAt = performance.now();
        const ended = await subscription.closed;
        if (ended === 'local' || !live()) return;
        // A stream that lasted is reopened at once (the upstream restarted, or a proxy cut an idle
        // stream). One ended as soon as it opened is retried with backoff: reopening those at once
        // was a loop of hundreds of listen requests a second against such an upstream.
        if (performance.now() - openedAt >= LISTEN_STABLE_MS) return this.listen(conn, client, logger, 0);
        const retry = setTimeout(() => live() && this.listen(conn, client, logger, attempt + 1), this.backoffMs(attempt + 1));
        retry.unref();
      })
      .catch((error: unknown) => {
        if (!live()) return;
        logger.warn('cannot open the upstream subscriptions/listen stream; list changes will be missed until it opens', { error, attempt });
        const retry = setTimeout(() => live() && this.listen(conn, client, logger, attempt + 1), this.backoffMs(attempt + 1));
        retry.unref();
      });
  }

  /**
   * A liveness round trip to the service, connecting if needed (health checks). A 2026-07-28
   * upstream has no `ping`: `server/discover` is its cheapest request.
   */
  async ping(descriptor: ServiceDescriptor, signal: AbortSignal): Promise<void> {
    const client = await this.client(descriptor, { probe: true });
    if (client.getProtocolEra() === 'modern') await client.discover({ signal });
    else await client.ping({ signal });
  }

  /**
   * Read again, before they are answered from, the lists of a service whose ttl ran out (or that
   * have no ttl and no change notifications): lists are re-read when a client needs them, not
   * polled, as the specification's caching rules ask. Concurrent callers share one read; a
   * failure keeps the lists held (a client may be answered from a stale list when the upstream
   * cannot answer). Undefined when nothing is stale (the common case, checked without a promise).
   */
  freshen(name: string, lists: readonly CatalogList[]): Promise<void> | undefined {
    const conn = this.connections.get(name);
    const client = conn?.client;
    if (!conn || !client || !conn.reread) return undefined;
    const now = performance.now();
    const caps = client.getServerCapabilities() ?? {};
    const announces = (l: CatalogList): boolean => Boolean(l === 'tools' ? caps.tools?.listChanged : l === 'prompts' ? caps.prompts?.listChanged : caps.resources?.listChanged);
    const stale = lists.filter((l) => isStale(conn.freshness?.[l], announces(l), now));
    if (stale.length === 0) return undefined;
    const key = stale.join(',');
    const running = conn.freshening?.get(key);
    if (running) return running;
    const reading = conn.reread(stale).catch((error: unknown) => this.options.logger.debug('re-reading stale lists failed; answering from the lists held', { service: name, lists: stale, error }));
    (conn.freshening ??= new Map()).set(key, reading);
    void reading.finally(() => conn.freshening?.delete(key));
    return reading;
  }

  /** Resolves once the lists read after the service's current connect are in (never rejects). */
  catalogRead(name: string): Promise<void> {
    return this.connections.get(name)?.catalogRead ?? Promise.resolve();
  }
}

/** The list changes a modern upstream says it can announce, or undefined when none. */
function listenFilter(client: Client): { toolsListChanged?: true; resourcesListChanged?: true; promptsListChanged?: true } | undefined {
  const caps = client.getServerCapabilities() ?? {};
  const filter = {
    ...(caps.tools?.listChanged ? { toolsListChanged: true as const } : {}),
    ...(caps.resources?.listChanged ? { resourcesListChanged: true as const } : {}),
    ...(caps.prompts?.listChanged ? { promptsListChanged: true as const } : {}),
  };
  return Object.keys(filter).length > 0 ? filter : undefined;
}

/** A logger whose info and warn lines are written at debug. */
function toDebug(logger: Logger): Logger {
  const debug = (message: string, fields?: Record<string, unknown>): void => logger.debug(message, fields);
  return { debug, info: debug, warn: debug, error: (message, fields) => logger.error(message, fields), child: (fields) => toDebug(logger.child(fields)) };
}
