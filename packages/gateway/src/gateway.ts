// createGateway: serve a Router as one MCP endpoint. The gateway keeps the aggregate catalogue
// current from registry events and upstream list_changed, creates one SDK Server per client session,
// and tells every session when a list changed. Serving over HTTP or stdio is in serve-*.ts.
import { type Client, type ResourceUpdatedNotification } from './sdk/mcp.js';
import { CallTable, combinedFreshness, type CatalogList, type Logger, type Router, type ServiceEntry, type Transport } from '@switchboard/core';
import { buildCatalog, type CatalogSnapshot } from './catalog/catalog.js';
import { routerTransports } from './upstream/core-access.js';
import type { GatewayCore } from './gateway-core.js';
import { isolationOf, ProcessSlots, type Isolation } from './upstream/isolation.js';
import { GatewayMetrics } from './ops/metrics.js';
import { NameMemory, type NamingConflict, type NamingMode } from './catalog/naming.js';
import { MemberRouter } from './upstream/routing.js';
import { detectSchemaDrift } from './catalog/schema-drift.js';
import { GatewaySession } from './downstream/session.js';
import { RequestStateSeal } from './downstream/request-state.js';
import { TaskHandles } from './downstream/task-handles.js';
import { liftTaskResults } from './upstream/task-results.js';
import { HeldCalls, type HeldCallsOptions } from './downstream/held-calls.js';
import { SharedUpstreams } from './upstream/shared-upstreams.js';
import { CallProcesses } from './upstream/call-processes.js';
import type { UpstreamPolicy } from './upstream/upstream-session.js';
import type { SessionOptions } from './downstream/session.js';
import { AccessControl, type AccessOptions } from './access/access-control.js';
import { ToolPins, type PinsConfig } from './access/tool-pins.js';
import { UpstreamCredentials, type UpstreamAuthConfig } from './access/upstream-credentials.js';

export interface GatewayOptions {
  router: Router;
  /** How tool and prompt names are exposed (default 'on-collision'). */
  namespace?: NamingMode;
  /** Default: the router's logger. */
  logger?: Logger;
  /** Transport plugins for per-session upstream sessions (default: the router's own). */
  transports?: ReadonlyMap<string, Transport>;
  /** Per-call timeout toward upstreams (default: the router's failover timeout + 1 s, so its own policy fires first). */
  callTimeoutMs?: number;
  /**
   * stdio services by name that run one process per client session ('per-session') or one shared
   * process (the default, 'shared'). Overrides the server entry's `metadata.isolation`.
   */
  isolation?: Readonly<Record<string, Isolation>>;
  /** Most per-session processes one service may run at once (default 16); beyond it requests fail with -32005. */
  maxProcessesPerService?: number;
  /** A per-session process unused for this long is ended; the session's next request starts another (default 5 min). */
  processIdleMs?: number;
  /** Page size of tools/list, resources/list, resources/templates/list and prompts/list (default 100). */
  pageSize?: number;
  /**
   * The gateway's secrets (gateway.sessionSecret): they seal the requestState of upstream
   * input_required results so any instance holding them can resume the flow. serveHttp's
   * sessionSecrets are used when none are given here. None: a per-process key.
   */
  sessionSecrets?: readonly string[];
  /** Bounds on 2025 upstream calls held for a 2026-07-28 client's answers (default 256 held, 5 minutes each). */
  heldCalls?: HeldCallsOptions;
  /** Who may see and call what, rate limits, and the audit log (default: everything, unlimited, none). */
  access?: AccessOptions;
  /**
   * Upstreams whose calls carry a token exchanged for the caller's (RFC 8693) instead of their
   * entry's headers, by replicaGroup or server name. Needs OAuth clients (serveHttp's auth.oauth).
   */
  upstreamAuth?: UpstreamAuthConfig;
  /** Also hand each audit line to this (the OpenTelemetry log exporter of @switchboard/tracing-otel, where tracing is on). */
  auditExport?: (line: Record<string, unknown>) => void;
  /** Pin tool definitions and handle changes to them (default: off; `switchboard serve` turns it on). */
  pins?: PinsConfig;
}

export interface Gateway {
  readonly router: Router;
  readonly metrics: GatewayMetrics;
  /** Open 2025 client sessions (over HTTP or stdio). */
  readonly sessionCount: number;
  /** 2026-07-28 requests being served: each has a session object only while it runs. */
  readonly modernRequestsInFlight: number;
  /**
   * A new client session; connect `session.server` to a transport, and close the session when it
   * ends. 'modern': the server for one 2026-07-28 request (no session state, shared upstreams).
   */
  createSession(era?: 'legacy' | 'modern', options?: SessionOptions): GatewaySession;
  /** Told when a list the gateway serves changes; returns the unsubscribe. */
  onListChanged(listener: (kind: 'tools' | 'prompts' | 'resources') => void): () => void;
  catalog(): CatalogSnapshot;
  /** Name conflicts found under namespace 'never' (also logged as errors). */
  conflicts(): readonly NamingConflict[];
  /** Resolves once every known service's resources and prompts have been read once. */
  ready(): Promise<void>;
  /** Seal request states with these secrets from now on (serveHttp passes its sessionSecrets). */
  useSessionSecrets(secrets: readonly string[]): void;
  /** Apply a new policy, rate limits and audit sink from the next request on (a config reload). */
  setAccess(options: AccessOptions | undefined): void;
  /** Policy, rate limits and audit in force. */
  readonly access: AccessControl;
  /** Tool definitions pinned and changes waiting for approval; undefined when pinning is off. */
  readonly pins: ToolPins | undefined;
  close(): Promise<void>;
}

/** How long a list request waits for upstream lists being re-read after their ttl ran out. */
const LIST_REFRESH_WAIT_MS = 2_000;

export function createGateway(options: GatewayOptions): Gateway {
  return new GatewayImpl(options);
}

class GatewayImpl implements Gateway, GatewayCore {
  readonly router: Router;
  readonly logger: Logger;
  readonly members: MemberRouter;
  readonly metrics = new GatewayMetrics();
  readonly transports: ReadonlyMap<string, Transport> | undefined;
  readonly connectTimeoutMs: number;
  readonly callTimeoutMs: number;
  readonly pageSize: number;
  readonly shared: SharedUpstreams;
  readonly upstreamPolicy: UpstreamPolicy;
  readonly requestStates: RequestStateSeal;
  readonly taskHandles: TaskHandles;
  readonly heldCalls: HeldCalls;
  readonly callProcesses: CallProcesses;
  access: AccessControl;
  readonly pins: ToolPins | undefined;
  readonly upstreamCredentials: UpstreamCredentials | undefined;
  private secretsGiven: boolean;
  private readonly auditExport: ((line: Record<string, unknown>) => void) | undefined;
  private readonly reaper: NodeJS.Timeout;
  private readonly mode: NamingMode;
  /**
   * Open sessions, by their serial. A CallTable, not a Set: with 2026-07-28 clients a session is one
   * request, so they come and go at call rate (see core's call-table.ts).
   */
  private readonly sessions = new CallTable<number, GatewaySession>();
  /** How many of `sessions` serve one 2026-07-28 request each (not client sessions). */
  private modernInFlight = 0;
  private readonly listChangeListeners = new Set<(kind: 'tools' | 'prompts' | 'resources') => void>();
  /** service\0uri → sessions subscribed through a shared upstream connection. */
  private readonly sharedSubs = new Map<string, Set<GatewaySession>>();
  private snapshot: CatalogSnapshot;
  private rebuildQueued = false;
  private readonly initial: Promise<void>;
  private readonly unsubscribe: () => void;
  private reportedConflicts = new Set<string>();
  private closed = false;

  constructor(options: GatewayOptions) {
    this.router = options.router;
    this.logger = (options.logger ?? options.router.logger).child({ component: 'gateway' });
    this.mode = options.namespace ?? 'on-collision';
    this.members = new MemberRouter(this.router);
    this.transports = options.transports ?? routerTransports(this.router);
    this.connectTimeoutMs = 10_000;
    this.callTimeoutMs = options.callTimeoutMs ?? this.router.config.failover.timeoutMs + 1_000;
    this.pageSize = Math.max(1, options.pageSize ?? 100);
    this.requestStates = new RequestStateSeal(options.sessionSecrets);
    this.taskHandles = new TaskHandles(this.requestStates);
    this.heldCalls = new HeldCalls(options.heldCalls);
    this.auditExport = options.auditExport;
    this.upstreamCredentials = options.upstreamAuth && Object.keys(options.upstreamAuth).length > 0 ? new UpstreamCredentials(options.upstreamAuth, this.router) : undefined;
    this.access = this.accessFrom(options.access);
    this.pins = options.pins ? new ToolPins(options.pins, this.logger) : undefined;
    if (this.pins) {
      this.pins.onChange = (change) => this.metrics.definitionChanged(change.key, change.action);
      // An approval (the CLI rewrote the pin file) brings blocked tools back: rebuild and tell clients.
      this.pins.onReload = () => {
        this.rebuildQueued = true;
        this.flushRebuild();
      };
    }
    this.secretsGiven = (options.sessionSecrets?.length ?? 0) > 0;
    const overrides = options.isolation;
    this.upstreamPolicy = { isolation: (entry) => isolationOf(entry, overrides), processSlots: new ProcessSlots(options.maxProcessesPerService ?? 16) };
    this.callProcesses = new CallProcesses(this.router, this.transports, this.logger, this.connectTimeoutMs, this.upstreamPolicy);
    this.shared = new SharedUpstreams(this.logger, (service, kind) => this.metrics.unattributed(service, kind));
    const idleMs = options.processIdleMs ?? 5 * 60_000;
    this.reaper = setInterval(() => {
      const cutoff = Date.now() - idleMs;
      for (const s of this.sessions.values()) s.upstream.reapIdle(cutoff);
      this.callProcesses.reapIdle(cutoff);
    }, Math.max(20, Math.min(idleMs / 2, 30_000)));
    this.reaper.unref();
    this.snapshot = this.build();
    this.reportConflicts();

    const registry = this.router.registry;
    const onCatalog = (): void => this.queueRebuild();
    const onAdded = (): void => this.queueRebuild();
    const onUpdated = (entry: ServiceEntry): void => this.release(entry.name);
    const onRemoved = (entry: ServiceEntry): void => {
      this.release(entry.name);
      this.queueRebuild();
    };
    registry.on('catalog', onCatalog);
    registry.on('added', onAdded);
    registry.on('updated', onUpdated);
    registry.on('removed', onRemoved);
    // Every shared (pool) connection, now and after each reconnect, gets the correlation handlers.
    const attach = (name: string, client: Client): void => {
      this.shared.attach(name, client);
      // 2026-07-28 clients call through these: an upstream's task result must reach the gateway.
      liftTaskResults(client);
      // Resource updates arriving on the shared connection, for sessions subscribed through it.
      client.setNotificationHandler('notifications/resources/updated', (n) => this.sharedUpdate(name, n.params));
    };
    const offClient = this.router.onUpstreamClient(attach);
    for (const e of registry.all()) {
      const client = this.router.pool.connected(e.name);
      if (client) attach(e.name, client);
    }
    this.unsubscribe = () => {
      offClient();
      registry.off('catalog', onCatalog);
      registry.off('added', onAdded);
      registry.off('updated', onUpdated);
      registry.off('removed', onRemoved);
    };
    // The lists besides tools of services already connected may still be on their way.
    this.initial = Promise.all(registry.all().map((e) => this.router.pool.catalogRead(e.name))).then(() => this.flushRebuild());
  }

  get sessionCount(): number {
    return this.sessions.size - this.modernInFlight;
  }

  get modernRequestsInFlight(): number {
    return this.modernInFlight;
  }

  /** Told when a list the gateway serves changes (2026-07-28 listen streams have no session). */
  onListChanged(listener: (kind: 'tools' | 'prompts' | 'resources') => void): () => void {
    this.listChangeListeners.add(listener);
    return () => void this.listChangeListeners.delete(listener);
  }

  /** A 2025 client session, or ('modern') the server for one 2026-07-28 request. */
  createSession(era: 'legacy' | 'modern' = 'legacy', options: SessionOptions = {}): GatewaySession {
    const session = new GatewaySession(this, era, options);
    this.sessions.set(session.serial, session);
    if (era === 'modern') this.modernInFlight++;
    return session;
  }

  sessionClosed(session: GatewaySession): void {
    if (this.sessions.delete(session.serial) && session.era === 'modern') this.modernInFlight--;
  }

  catalog(): CatalogSnapshot {
    return this.snapshot;
  }

  async freshCatalog(lists: readonly CatalogList[]): Promise<CatalogSnapshot> {
    const reads: Promise<void>[] = [];
    for (const e of this.router.registry.all()) {
      const read = this.router.pool.freshen(e.name, lists);
      if (read) reads.push(read);
    }
    if (reads.length > 0) {
      // An upstream slow to answer its list must not hold the client's list for long: after the
      // bound the answer is built from the lists held (the specification allows a stale answer).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(reads), new Promise<void>((resolve) => (timer = setTimeout(resolve, LIST_REFRESH_WAIT_MS)))]);
      clearTimeout(timer);
      this.flushRebuild();
    }
    return this.snapshot;
  }

  listFreshness(lists: readonly CatalogList[]): { ttlMs: number; cacheScope: 'public' | 'private' } {
    const parts = [];
    for (const e of this.router.registry.all()) for (const l of lists) parts.push(e.catalog.freshness[l]);
    return combinedFreshness(parts, performance.now());
  }

  conflicts(): readonly NamingConflict[] {
    return this.snapshot.conflicts;
  }

  ready(): Promise<void> {
    return this.initial;
  }

  useSessionSecrets(secrets: readonly string[]): void {
    if (this.secretsGiven || secrets.length === 0) return;
    this.requestStates.useSecrets(secrets);
    this.secretsGiven = true;
  }

  setAccess(options: AccessOptions | undefined): void {
    const previous = this.access;
    this.access = this.accessFrom(options);
    void previous.close();
  }

  private accessFrom(options: AccessOptions | undefined): AccessControl {
    const access = new AccessControl(options ?? {}, this.logger);
    access.onRefused = (reason) => this.metrics.accessRefused(reason);
    if (access.audit && this.auditExport) access.audit.onLine = this.auditExport;
    return access;
  }

  holdSharedSubscription(session: GatewaySession, service: string, uri: string): void {
    const key = `${service}\u0000${uri}`;
    let set = this.sharedSubs.get(key);
    if (!set) this.sharedSubs.set(key, (set = new Set()));
    set.add(session);
  }

  releaseSharedSubscription(session: GatewaySession, service: string, uri: string): number {
    const key = `${service}\u0000${uri}`;
    const set = this.sharedSubs.get(key);
    if (!set) return 0;
    set.delete(session);
    if (set.size === 0) this.sharedSubs.delete(key);
    return set.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearInterval(this.reaper);
    await this.pins?.close();
    this.upstreamCredentials?.close();
    await this.heldCalls.close();
    await this.callProcesses.close();
    await this.access.close();
    await Promise.all(this.sessions.values().map((s) => s.close()));
  }

  private sharedUpdate(service: string, params: ResourceUpdatedNotification['params']): void {
    for (const session of this.sharedSubs.get(`${service}\u0000${params.uri}`) ?? []) session.deliverSharedUpdate(service, params);
  }

  /** A service was removed or re-pointed: every session's upstream session on it is stale. */
  private release(service: string): void {
    for (const s of this.sessions.values()) void s.upstream.drop(service);
    this.callProcesses.drop(service);
  }

  /** Plain names clients have seen, kept while the gateway runs (see NameMemory). */
  private readonly names = new NameMemory();

  private build(): CatalogSnapshot {
    const entries = this.router.registry.all();
    const pins = this.pins;
    // Pinning sees every tool of every upstream; blocked ones never reach the catalogue.
    const sources = pins ? entries.map((e) => ({ name: e.name, descriptor: e.descriptor, catalog: e.catalog, tools: pins.review(e) })) : entries;
    return buildCatalog(sources, this.mode, this.names);
  }

  // Registry events come in bursts (a discoverer adding ten services): rebuild once per burst.
  private queueRebuild(): void {
    if (this.rebuildQueued || this.closed) return;
    this.rebuildQueued = true;
    queueMicrotask(() => this.flushRebuild());
  }

  /** Rebuild now if a rebuild is queued (ready() answers with the catalogue current). */
  private flushRebuild(): void {
    if (!this.rebuildQueued || this.closed) return;
    this.rebuildQueued = false;
    const before = this.snapshot;
    this.snapshot = this.build();
    this.reportConflicts();
    for (const d of detectSchemaDrift(before, this.snapshot)) {
      this.logger.warn('replica left its replica set: its tool schema changed', { service: d.service, tool: d.tool, replicaSet: d.from, nowWith: d.to });
    }
    const kinds = (['tools', 'prompts', 'resources'] as const).filter((k) => before.signatures[k] !== this.snapshot.signatures[k]);
    for (const kind of kinds) {
      for (const s of this.sessions.values()) void s.notifyListChanged(kind);
      for (const listener of this.listChangeListeners) listener(kind);
    }
  }

  private reportConflicts(): void {
    const now = new Set<string>();
    for (const c of this.snapshot.conflicts) {
      const key = `${c.kind}:${c.name}:${c.services.join(',')}`;
      now.add(key);
      if (!this.reportedConflicts.has(key)) this.logger.error('name conflict', { kind: c.kind, name: c.name, services: c.services, detail: c.message });
    }
    this.reportedConflicts = now;
  }
}
