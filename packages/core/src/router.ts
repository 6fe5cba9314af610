// The router: wires plugins into its own DI container, keeps the registry fed by discoverers and
// health checks, and routes each call with the configured strategy, failing over across services.
import { performance } from 'node:perf_hooks';
import { type Client, type CallToolResult, type ClientCapabilities } from './sdk/mcp.js';
import { BrokenCircuitError } from 'cockatiel';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { CallerCancelledError, createServicePolicy, type ServicePolicy } from './breaker.js';
import type { SwitchboardConfig } from './config/schema.js';
import { parseConfig } from './config/validate.js';
import type { Discoverer, DiscoverySink, SelectContext, Transport } from './contracts.js';
import { SwitchboardError } from './errors.js';
import { classifyFailure, isServiceFailure } from './failure.js';
import { HealthMonitor } from './health-monitor.js';
import { createLogger, type Logger } from './logger.js';
import { PluginCatalog } from './plugin-catalog.js';
import { UpstreamPool } from './pool.js';
import { ServiceRegistry, type ServiceEntry } from './registry.js';
import type { PerformanceReport, RouteRequest, RouteResult, ServerInfo, ServiceHealthReport } from './route-types.js';
import { Tokens } from './tokens.js';
import { parsePluginOptions, wirePlugins, type Wired } from './wiring.js';
import { configError } from './config/validate.js';
import type { RouteObserver, RoutedCallInfo } from './observer.js';
import { backoffDelay, RetryBudget } from './retry-budget.js';
import { toolIsRetryable } from './retry-safety.js';
import { isConnectionFailure, isSessionRejected, isUpstreamSessionLost, provesNotDelivered } from './link-faults.js';
import { LatencyWindow } from './latency-window.js';
import { raceHedged, HedgeFailure, type HedgeAttempt } from './hedging.js';
import { newInstanceId } from './self-recognition.js';

const MAX_DISCOVERY_PROBLEMS = 50;
export interface RouterOptions {
  /** Plugin objects handed over in code; they take precedence over packages of the same name. */
  plugins?: readonly unknown[];
  logger?: Logger;
  /** Directories to resolve plugin packages from (default: the working directory). */
  resolveFrom?: readonly string[];
  /** The folder of the config file, which relative paths in plugin options are relative to. */
  configDir?: string;
  /** Uniform random source for strategies (default Math.random). */
  random?: () => number;
  /** How long connecting to one upstream may take (default 10 s). */
  connectTimeoutMs?: number;
  /** Observability hooks (tracing spans, metrics) around every routed call. */
  observers?: readonly RouteObserver[];
  /**
   * Capabilities the shared upstream clients declare. Servers may offer tools only to clients that
   * support, say, sampling; a router served by the gateway declares what the gateway forwards.
   */
  clientCapabilities?: ClientCapabilities;
}

/** What to route: the tool (if any) and capabilities a service must have. */
export interface DispatchTarget {
  toolName?: string;
  requiredCapabilities?: readonly string[];
  requestType?: string;
  signal?: AbortSignal;
  /**
   * Where the chosen service's client comes from (default: the router's shared pool). The gateway
   * passes its per-client-session upstream sessions here and keeps the router's selection,
   * breakers, stats and failover.
   */
  client?: (entry: ServiceEntry) => Promise<Client>;
  /**
   * The operation may be repeated safely after it reached a server (reads such as resources/read).
   * Default for tool calls: the tool's readOnlyHint/idempotentHint, or failover.retryableTools.
   */
  idempotent?: boolean;
  /**
   * Only these services may be chosen (a replica set, or the owners of a resource). The strategy,
   * breakers, stats and failover still apply within them.
   */
  services?: ReadonlySet<string>;
  /** Name of the MCP method for observers (default 'tools/call' when toolName is set). */
  operation?: string;
  /**
   * Whether a safe-to-repeat call may be hedged (default true). Off where a second attempt would
   * be seen by the caller, for example a call whose progress notifications are forwarded.
   */
  hedge?: boolean;
}

export interface AttemptFailure {
  service: string;
  errorCode: string;
  error: string;
}

export interface DispatchOutcome<T> {
  value?: T;
  service?: string;
  error?: SwitchboardError;
  failoverAttempts: number;
  attempts: AttemptFailure[];
  alternativesAvailable: number;
  panic: boolean;
  /** The answer came from a hedged second attempt (the first had not answered in time; it did not fail). */
  hedged?: boolean;
}

type State = 'new' | 'initializing' | 'ready' | 'closed';

export class Router {
  config: SwitchboardConfig;
  readonly registry = new ServiceRegistry();
  /** Random per router: a gateway announces it, and no connector accepts an upstream announcing it back. */
  readonly instanceId = newInstanceId();
  /**
   * What discoverers reported as problems (an unreadable servers file, a bad record), newest last,
   * at most MAX_DISCOVERY_PROBLEMS: one-shot commands show them and fail when nothing was found.
   */
  readonly discoveryProblems: Array<{ source: string; message: string }> = [];
  readonly logger: Logger;
  private readonly catalog: PluginCatalog;
  private readonly random: () => number;
  private readonly connectTimeoutMs: number;
  private container: DependencyContainer | undefined;
  private wired: Wired | undefined;
  private poolInstance: UpstreamPool | undefined;
  private monitor: HealthMonitor | undefined;
  private readonly policies = new Map<string, { policy: ServicePolicy; eject(): void; dispose(): void }>();
  private readonly warming = new Set<Promise<void>>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private state: State = 'new';
  private initPromise: Promise<void> | undefined;
  private closePromise: Promise<void> | undefined;
  private lastDiscoveryAt = 0;
  private decisions = 0;
  private failovers = 0;
  private hedges = 0;
  /** Recent successful latencies per operation (tool name, or method), across the services serving it. */
  private readonly operationLatency = new Map<string, LatencyWindow>();
  /** Services with a half-open trial call in flight: skipped by selection until it ends. */
  private trialsInFlight = 0;
  // Reused for every select(): strategies are synchronous, so one mutable context allocates nothing.
  private readonly selectContext: { toolName?: string; requestType?: string; random(): number; now(): number };
  private readonly now = (): number => performance.now();
  private readonly retryBudget: RetryBudget;
  private readonly hedgeBudget: RetryBudget;
  private readonly configDir: string | undefined;
  private readonly clientListeners = new Set<(name: string, client: Client) => void>();
  private readonly observers: readonly RouteObserver[];
  private readonly clientCapabilities: ClientCapabilities | undefined;

  constructor(config: unknown, options: RouterOptions = {}) {
    this.config = parseConfig(config);
    this.logger = options.logger ?? createLogger({ level: this.config.logLevel });
    this.catalog = new PluginCatalog(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {});
    this.configDir = options.configDir;
    for (const plugin of options.plugins ?? []) this.catalog.add(plugin);
    this.random = options.random ?? Math.random;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const random = this.random;
    const now = this.now;
    this.selectContext = { random, now };
    this.observers = options.observers ?? [];
    this.clientCapabilities = options.clientCapabilities;
    this.registry.panicThresholdPercent = this.config.failover.panicThresholdPercent;
    this.retryBudget = new RetryBudget(this.config.failover.retryBudget.percent, this.config.failover.retryBudget.minPerSecond, now);
    this.hedgeBudget = new RetryBudget(this.config.failover.hedging.budgetPercent, this.config.failover.hedging.budgetMinPerSecond, now);
  }

  get strategyName(): string {
    return this.config.strategy.type;
  }

  /**
   * Be told of every upstream client the shared pool connects (also after reconnects), to attach
   * notification handlers such as resources/list_changed. Returns an unsubscribe function.
   */
  onUpstreamClient(listener: (name: string, client: Client) => void): () => void {
    this.clientListeners.add(listener);
    return () => this.clientListeners.delete(listener);
  }

  /** The loaded transports by kind (for embedding: the gateway opens per-session upstream clients). */
  get transports(): ReadonlyMap<string, Transport> {
    if (!this.wired) throw new SwitchboardError('NOT_INITIALIZED', 'call initialize() before using the router');
    return this.wired.transports;
  }

  /** The upstream connection pool (for embedding, such as the gateway). */
  get pool(): UpstreamPool {
    if (!this.poolInstance) throw new SwitchboardError('NOT_INITIALIZED', 'call initialize() before using the router');
    return this.poolInstance;
  }

  initialize(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new SwitchboardError('CLOSED', 'the router is closed'));
    return (this.initPromise ??= this.doInitialize());
  }

  private async doInitialize(): Promise<void> {
    this.state = 'initializing';
    // Each router gets its own child container, disposed on close(); never the global one.
    const container = (this.container = rootContainer.createChildContainer());
    container.register(Tokens.Config, { useValue: this.config });
    container.register(Tokens.Logger, { useValue: this.logger });
    container.register(Tokens.Registry, { useValue: this.registry });
    try {
      this.wired = await wirePlugins(this.config, this.catalog, container, this.logger, this.configDir);
    } catch (error) {
      this.state = 'new';
      this.initPromise = undefined;
      await container.dispose();
      throw error;
    }
    const pool = (this.poolInstance = new UpstreamPool({
      transports: this.wired.transports,
      logger: this.logger,
      connectTimeoutMs: this.connectTimeoutMs,
      instanceId: this.instanceId,
      supervise: true,
      ...(this.clientCapabilities ? { clientCapabilities: this.clientCapabilities } : {}),
      ...(this.observers.some((o) => o.outgoingHeaders) ? { requestHeaders: () => this.outgoingHeaders() } : {}),
      onTools: (name, tools) => {
        const entry = this.registry.get(name);
        if (entry) this.registry.setTools(entry, tools);
      },
      onClient: (name, client) => {
        for (const listener of this.clientListeners) listener(name, client);
      },
      onReconnect: (name) => {
        const entry = this.registry.get(name);
        if (entry) this.monitor?.record(entry, true);
      },
      onDisconnect: (name, reason) => {
        const entry = this.registry.get(name);
        if (entry) this.monitor?.record(entry, false, reason);
      },
    }));
    const healthConfig = this.config.health || { type: 'none', intervalMs: 30_000, timeoutMs: 5_000, unhealthyThreshold: 2, healthyThreshold: 1 };
    this.monitor = new HealthMonitor(
      this.wired.health,
      healthConfig,
      this.registry,
      async (e, signal) => void (await (await pool.client(e.descriptor, { probe: true })).ping({ signal })),
      this.logger,
      this.now,
      (e) => this.uneject(e),
      // A restarted server has forgotten our session, and a hung one may hold it: start afresh.
      (e) => pool.invalidate(e.name, e.health.lastError ?? 'health check failed'),
    );

    this.registry.on('added', (entry) => {
      this.policies.set(entry.name, createServicePolicy(entry, this.registry, this.config.failover, this.now));
      this.logger.info('service added', { service: entry.name, source: entry.descriptor.source });
      this.warm(entry);
    });
    this.registry.on('updated', (entry) => {
      this.policies.get(entry.name)?.dispose();
      this.policies.set(entry.name, createServicePolicy(entry, this.registry, this.config.failover, this.now));
      void pool.drop(entry.name).then(() => this.warm(entry));
    });
    this.registry.on('removed', (entry) => {
      this.policies.get(entry.name)?.dispose();
      this.policies.delete(entry.name);
      this.logger.info('service removed', { service: entry.name });
      void pool.drop(entry.name);
    });

    await Promise.all(this.wired.discoverers.map((d) => this.startDiscoverer(d)));
    this.lastDiscoveryAt = Date.now();
    await this.settleWarming();
    this.monitor.start();
    if (this.config.enableAutoRefresh) {
      this.refreshTimer = setInterval(() => void this.refreshDiscovery().catch(() => undefined), this.config.discoveryIntervalMs);
      this.refreshTimer.unref();
    }
    this.state = 'ready';
  }

  /**
   * A service that keeps losing hedge races has not answered calls that another replica answered
   * meanwhile: it hangs, or is far slower than its peers. After breaker.consecutiveFailures losses
   * in a row it is ejected like a failing one (growing ejection time), in milliseconds rather than
   * after as many per-attempt timeouts.
   */
  private hedgeOutcome(entry: ServiceEntry, answered: boolean): void {
    if (answered) {
      entry.hedgeLosses = 0;
      return;
    }
    if (++entry.hedgeLosses < this.config.failover.breaker.consecutiveFailures) return;
    entry.hedgeLosses = 0;
    this.logger.warn('service ejected: it lost every recent hedge to another replica', { service: entry.name });
    this.policies.get(entry.name)?.eject();
  }

  /**
   * The primary lost its hedge race: it counts as a lost race only if it is still unanswered well
   * after (ten hedge delays, at least 50 ms), so a replica that is merely slow for a moment (a
   * reconnect) is not ejected, while one that hangs is within tens of milliseconds.
   */
  private judgeHedgeLoser(primary: HedgeAttempt<unknown>, hedgeMs: number): void {
    let settled = false;
    primary.promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    const timer = setTimeout(() => {
      if (!settled) this.hedgeOutcome(primary.entry, false);
    }, Math.max(50, 10 * hedgeMs));
    timer.unref();
  }

  /** Failure-rate outlier detection over a window (Envoy's failure_percentage). */
  private observeOutcome(entry: ServiceEntry, ok: boolean, now: number): void {
    const o = this.config.failover.outlier;
    if (o.failurePercent <= 0) return;
    if (now - entry.windowStart >= o.windowMs) {
      entry.windowStart = now;
      entry.windowCalls = 0;
      entry.windowFailures = 0;
    }
    entry.windowCalls++;
    if (!ok) entry.windowFailures++;
    if (!ok && entry.windowCalls >= o.minRequests && entry.windowFailures * 100 >= entry.windowCalls * o.failurePercent) {
      this.logger.warn('service ejected: failure rate', { service: entry.name, calls: entry.windowCalls, failures: entry.windowFailures });
      entry.windowStart = now; // a fresh window after the ejection
      entry.windowCalls = 0;
      entry.windowFailures = 0;
      this.policies.get(entry.name)?.eject();
    }
  }

  /**
   * Proof of recovery (a health check or reconnect succeeded) takes a service out of ejection at
   * once, as Envoy's active health checks do, instead of waiting out its breaker's open time.
   */
  private uneject(entry: ServiceEntry): void {
    // Latencies from the failure say nothing about the service now, whether or not its breaker is
    // still open (an ejection for lost hedges may have run out already).
    entry.stats.resetLatency();
    entry.hedgeLosses = 0;
    if (entry.breaker === 'closed' || !this.policies.has(entry.name)) return;
    this.policies.get(entry.name)?.dispose();
    entry.breaker = 'closed';
    entry.consecutiveEjections = 0;
    this.policies.set(entry.name, createServicePolicy(entry, this.registry, this.config.failover, this.now));
    this.registry.markChanged(entry);
    this.logger.info('service un-ejected after recovering', { service: entry.name });
  }

  private sinkFor(discoverer: Discoverer): DiscoverySink {
    return {
      emit: (event) => {
        if (this.state === 'closed') return;
        try {
          this.registry.apply(event);
        } catch (error) {
          this.logger.error('discovery event could not be applied', { plugin: discoverer.id, error });
        }
      },
      warn: (message, fields) => {
        this.logger.warn(message, { plugin: discoverer.id, ...fields });
        if (this.discoveryProblems.push({ source: discoverer.id, message }) > MAX_DISCOVERY_PROBLEMS) this.discoveryProblems.shift();
      },
    };
  }

  private async startDiscoverer(discoverer: Discoverer): Promise<void> {
    try {
      await withTimeout(discoverer.start(this.sinkFor(discoverer)), this.config.discoveryTimeoutMs);
    } catch (error) {
      // One broken discoverer must not stop the others from serving.
      this.logger.error('discoverer failed to start', { plugin: discoverer.id, error });
    }
  }

  /** Connect in the background so tools are listed and health is known before the first call. */
  private warm(entry: ServiceEntry): void {
    const task = this.pool.client(entry.descriptor).then(
      () => {
        if (entry.health.status === 'unknown') this.monitor?.record(entry, true);
      },
      (error: unknown) => {
        // The health change ("service is unhealthy", with this detail) is the line an operator
        // reads; the same failure again at warn would only repeat it.
        this.monitor?.record(entry, false, (error as Error).message);
        this.logger.debug('cannot connect to service', { service: entry.name, error });
      },
    );
    this.warming.add(task);
    void task.finally(() => this.warming.delete(task));
  }

  private async settleWarming(): Promise<void> {
    if (this.warming.size === 0) return;
    await withTimeout(Promise.all([...this.warming]), this.config.discoveryTimeoutMs).catch(() => undefined);
  }

  /**
   * Apply a changed config without dropping anything: discovery changes are applied live through
   * discoverers that support reconfigure(); what needs new wiring (strategy, failover, health,
   * plugins, a discoverer added, removed or retyped) is listed in `needsRestart` and left as it is.
   * An invalid config throws CONFIG_INVALID and changes nothing.
   */
  async reload(raw: unknown, source?: string): Promise<{ applied: string[]; needsRestart: string[] }> {
    const next = parseConfig(raw, source);
    await this.initialize();
    const applied: string[] = [];
    const needsRestart: string[] = [];
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    for (const key of ['strategy', 'failover', 'health', 'plugins', 'discoveryIntervalMs', 'enableAutoRefresh', 'discoveryTimeoutMs', 'tracing'] as const) {
      if (!same(this.config[key], next[key])) needsRestart.push(key);
    }
    const discoverers = this.wired?.discoverers ?? [];
    const updates: Array<{ index: number; options: unknown }> = [];
    if (next.discovery.length !== this.config.discovery.length || next.discovery.some((d, i) => d.type !== this.config.discovery[i]?.type)) {
      needsRestart.push('discovery (sources added, removed or retyped)');
    } else {
      const issues = [];
      for (const [i, ref] of next.discovery.entries()) {
        if (same(ref, this.config.discovery[i])) continue;
        const parsed = await parsePluginOptions(this.catalog, 'discovery', ref, `discovery[${i}]`);
        issues.push(...parsed.issues);
        if (parsed.issues.length === 0) {
          if (discoverers[i]?.reconfigure) updates.push({ index: i, options: parsed.options });
          else needsRestart.push(`discovery[${i}] (${ref.type} cannot be reconfigured live)`);
        }
      }
      if (issues.length > 0) throw configError(issues, source);
    }
    for (const { index, options } of updates) {
      await discoverers[index]!.reconfigure!(options);
      applied.push(`discovery[${index}]`);
    }
    // What was applied (and everything not needing a restart) becomes the config in force.
    this.config = Object.freeze({ ...this.config, discovery: next.discovery, gateway: next.gateway, logLevel: next.logLevel }) as SwitchboardConfig;
    if (updates.length > 0) await this.settleWarming();
    return { applied, needsRestart };
  }

  /** Refresh every discoverer and wait for new services' first connection; returns the catalogue. */
  async discoverServices(): Promise<Record<string, ServerInfo>> {
    await this.initialize();
    await this.refreshDiscovery();
    const out: Record<string, ServerInfo> = {};
    for (const e of this.registry.all()) {
      out[e.name] = {
        name: e.name,
        transport: e.descriptor.transport,
        ...(e.descriptor.url ? { url: e.descriptor.url } : {}),
        ...(e.descriptor.command ? { command: [e.descriptor.command, ...e.descriptor.args].join(' ') } : {}),
        capabilities: e.capabilities,
        tools: [...e.tools.keys()],
        healthy: e.health.status !== 'unhealthy',
        source: e.descriptor.source,
        metadata: { ...e.descriptor.metadata },
      };
    }
    return out;
  }

  async refreshDiscovery(): Promise<void> {
    await this.initialize();
    await Promise.all(
      (this.wired?.discoverers ?? []).map(async (d) => {
        if (!d.refresh) return;
        try {
          await withTimeout(d.refresh(), this.config.discoveryTimeoutMs);
        } catch (error) {
          this.logger.warn('discovery refresh failed', { plugin: d.id, error });
        }
      }),
    );
    this.lastDiscoveryAt = Date.now();
    await this.settleWarming();
  }

  get discoveryAgeSeconds(): number {
    return this.lastDiscoveryAt === 0 ? 0 : (Date.now() - this.lastDiscoveryAt) / 1000;
  }

  /**
   * Route one operation: choose a service with the strategy, run `operation` on its client, and on
   * a service failure exclude it and choose again, up to failover.maxAttempts more times.
   */
  dispatch<T>(target: DispatchTarget, operation: (client: Client, entry: ServiceEntry, signal: AbortSignal) => Promise<T>): Promise<DispatchOutcome<T>> {
    // No id is made on the hot path unless someone reads it (observers, or a failover log line).
    if (this.observers.length === 0) return this.dispatchInner(target, operation, undefined, undefined);
    const requestId = nextRequestId();
    const info: RoutedCallInfo = {
      operation: target.operation ?? (target.toolName !== undefined ? 'tools/call' : 'request'),
      ...(target.toolName !== undefined ? { toolName: target.toolName } : {}),
      strategy: this.strategyName,
      requestId,
    };
    const started = this.now();
    let run = (): Promise<DispatchOutcome<T>> => this.dispatchInner(target, operation, info, requestId);
    for (const observer of this.observers) {
      const inner = run;
      if (observer.around) run = () => observer.around!(info, inner);
    }
    return run().then((outcome) => {
      const routed = {
        ...info,
        ...(outcome.service ? { service: outcome.service } : {}),
        ok: !outcome.error,
        failoverAttempts: outcome.failoverAttempts,
        latencyMs: this.now() - started,
        ...(outcome.error ? { errorCode: outcome.error.code } : {}),
      };
      for (const observer of this.observers) observer.onRouted?.(routed);
      return outcome;
    });
  }

  /** Headers observers want on outgoing upstream HTTP requests made in the current async context. */
  outgoingHeaders(): Record<string, string> | undefined {
    let out: Record<string, string> | undefined;
    for (const observer of this.observers) {
      const headers = observer.outgoingHeaders?.();
      if (headers) out = { ...out, ...headers };
    }
    return out;
  }

  private async dispatchInner<T>(
    target: DispatchTarget,
    operation: (client: Client, entry: ServiceEntry, signal: AbortSignal) => Promise<T>,
    info: RoutedCallInfo | undefined,
    requestId: string | undefined,
  ): Promise<DispatchOutcome<T>> {
    const attempts: AttemptFailure[] = [];
    if (this.state !== 'ready') {
      const error =
        this.state === 'closed'
          ? new SwitchboardError('CLOSED', 'the router is closed')
          : new SwitchboardError('NOT_INITIALIZED', 'call initialize() before routing requests');
      return { error, failoverAttempts: 0, attempts, alternativesAvailable: 0, panic: false };
    }
    const caps = target.requiredCapabilities ?? [];
    const required = target.toolName && !caps.includes(target.toolName) ? [...caps, target.toolName] : caps;
    const key = `${target.toolName ?? ''}\u0000${caps.join('\u0001')}\u0000${target.requestType ?? ''}`;
    const strategy = this.wired!.strategy;
    this.decisions++;
    this.retryBudget.recordRequest();
    this.hedgeBudget.recordRequest();
    const progress = { sent: false };
    let excluded: Set<ServiceEntry> | undefined;
    let alternatives = 0;
    let panic = false;
    const failover = this.config.failover;
    const latencyKey = target.toolName ?? target.operation ?? target.requestType ?? '';
    let latency = this.operationLatency.get(latencyKey);
    if (!latency) this.operationLatency.set(latencyKey, (latency = new LatencyWindow()));
    const repeatable = (entry: ServiceEntry): boolean =>
      target.idempotent ?? (target.toolName !== undefined && toolIsRetryable(entry.tools.get(target.toolName), target.toolName, failover.retryableTools));
    for (let attempt = 0; ; attempt++) {
      const set = this.registry.candidates(key, required, target.requestType, this.now());
      panic ||= set.panic;
      const allowed = target.services;
      // A service whose half-open trial is in flight takes no other call until the trial ends.
      const list =
        excluded || allowed || this.trialsInFlight > 0
          ? set.list.filter((e) => !(excluded?.has(e) ?? false) && (allowed?.has(e.name) ?? true) && !e.trialInFlight)
          : set.list;
      if (attempt === 0) alternatives = Math.max(0, list.length - 1);
      let chosen: ServiceEntry | undefined;
      try {
        chosen = list.length === 0 ? undefined : (strategy.select(list, this.contextFor(target)) as ServiceEntry | undefined);
      } catch (error) {
        const wrapped = SwitchboardError.from(error, { code: 'PLUGIN_ERROR', plugin: this.wired!.strategyName, prefix: `strategy '${this.wired!.strategyName}' failed in select()` });
        return { error: wrapped, failoverAttempts: attempt, attempts, alternativesAvailable: alternatives, panic };
      }
      if (!chosen) {
        const error =
          attempt === 0
            ? new SwitchboardError('NO_SERVICE', noServiceMessage(target, required, this.registry, this.now()))
            : new SwitchboardError('ALL_FAILED', `every eligible service failed (${attempts.map((a) => `${a.service}: ${a.error}`).join('; ')})`);
        return { error, failoverAttempts: Math.max(0, attempt - 1), attempts, alternativesAvailable: alternatives, panic };
      }
      const safe = repeatable(chosen);
      const attemptMs = safe ? this.attemptTimeout(chosen, latency) : undefined;
      const baseTimeoutMs = chosen.descriptor.timeoutMs ?? failover.timeoutMs;
      const hedgeMs = safe && target.hedge !== false && list.length > 1 ? this.hedgeDelay(latency) : undefined;
      progress.sent = false;
      const attemptStarted = this.now();
      const primary: HedgeAttempt<T> = { entry: chosen, started: attemptStarted, progress, promise: this.runOn(chosen, operation, progress, target.signal, target.client, attemptMs) };
      try {
        const won =
          hedgeMs === undefined
            ? { attempt: primary, value: await primary.promise }
            : await raceHedged(primary, hedgeMs, () => {
                // The hedge goes to another candidate, within its own budget: hedges add load exactly
                // when servers are slow, so they get a small share (retries keep theirs).
                const others = list.filter((e) => e !== chosen && !e.trialInFlight);
                if (others.length === 0 || !this.hedgeBudget.tryRetry()) return undefined;
                // Not strategy.select(): a stateful strategy (round-robin's counter) would have its
                // rotation skewed by every hedge. The least busy other candidate is the natural pick.
                let second = others[0]!;
                for (const e of others) if (e.stats.inFlight < second.stats.inFlight) second = e;
                this.hedges++;
                const hedgeProgress = { sent: false };
                const hedge: HedgeAttempt<T> = {
                  entry: second,
                  started: this.now(),
                  progress: hedgeProgress,
                  promise: this.runOn(second, operation, hedgeProgress, target.signal, target.client, this.attemptTimeout(second, latency)),
                };
                return hedge;
              });
        const done = this.now();
        latency.add(done - won.attempt.started);
        if (won.attempt === primary) this.hedgeOutcome(primary.entry, true);
        else this.judgeHedgeLoser(primary, hedgeMs!);
        if (info) for (const o of this.observers) o.onAttempt?.({ ...info, service: won.attempt.entry.name, attempt, ok: true, latencyMs: done - won.attempt.started });
        return { value: won.value, service: won.attempt.entry.name, failoverAttempts: attempt, attempts, alternativesAvailable: alternatives, panic, ...(won.attempt !== primary ? { hedged: true } : {}) };
      } catch (caught) {
        // Every attempt launched this round failed (the primary, and a hedge if one went out): record
        // each, primary first; whether to go on is decided on the last one's failure.
        const failures = caught instanceof HedgeFailure ? [...(caught.failures as Array<{ attempt: HedgeAttempt<T>; error: unknown }>)].sort((a) => (a.attempt === primary ? -1 : 1)) : [{ attempt: primary, error: caught }];
        let failure!: ReturnType<typeof classifyFailure>;
        for (const f of failures) {
          failure = classifyFailure(f.error, f.attempt.entry.name, f.attempt === primary ? (attemptMs ?? baseTimeoutMs) : baseTimeoutMs);
          attempts.push({ service: f.attempt.entry.name, errorCode: failure.error.code, error: failure.error.message });
          if (info) for (const o of this.observers) o.onAttempt?.({ ...info, service: f.attempt.entry.name, attempt, ok: false, latencyMs: this.now() - f.attempt.started, errorCode: failure.error.code });
          (excluded ??= new Set()).add(f.attempt.entry);
        }
        attempt += failures.length - 1;
        const error = failures[0]!.error;
        const stop = (error: SwitchboardError): DispatchOutcome<T> => ({ error, failoverAttempts: attempt, attempts, alternativesAvailable: alternatives, panic });
        if (target.signal?.aborted || !failure.failover || attempt >= failover.maxAttempts) return stop(failure.error);
        // A call that may have reached the server is repeated only when repeating cannot do harm.
        const delivered = progress.sent && !provesNotDelivered(error);
        if (delivered && !safe) {
          return stop(
            new SwitchboardError(
              failure.error.code,
              `${failure.error.message}; not retried on another service because the call may have reached ${chosen.name} and ` +
                `${target.toolName ? `tool '${target.toolName}'` : 'this operation'} is not marked read-only or idempotent (list it in failover.retryableTools if it is safe to repeat)`,
              { service: chosen.name, cause: failure.error },
            ),
          );
        }
        if (!this.retryBudget.tryRetry()) {
          return stop(
            new SwitchboardError(failure.error.code, `${failure.error.message}; not retried: the retry budget is spent (too many failures right now)`, {
              service: chosen.name,
              cause: failure.error,
            }),
          );
        }
        this.failovers++;
        this.logger.info('failing over', { requestId: (requestId ??= nextRequestId()), tool: target.toolName, service: chosen.name, errorCode: failure.error.code, error: failure.error.message, attempt: attempt + 1 });
        const delay = backoffDelay(attempt, failover.backoff.baseMs, failover.backoff.maxMs, this.random);
        if (delay >= 1) await sleep(delay, target.signal);
      }
    }
  }

  /**
   * The time one attempt of a safe-to-repeat call may take: a multiple of the operation's recent
   * high-percentile latency, within [attemptTimeout.minMs, the service's timeout]; undefined (the
   * service's timeout) until enough calls have been seen.
   */
  private attemptTimeout(entry: ServiceEntry, latency: LatencyWindow): number | undefined {
    const at = this.config.failover.attemptTimeout;
    if (at.multiplier === 0 || latency.size < at.minSamples) return undefined;
    const base = entry.descriptor.timeoutMs ?? this.config.failover.timeoutMs;
    return Math.min(base, Math.max(at.minMs, at.multiplier * latency.recentPercentile(at.percentile)));
  }

  /** How long the first attempt of a safe call runs alone before a hedge is sent; undefined: no hedge. */
  private hedgeDelay(latency: LatencyWindow): number | undefined {
    const h = this.config.failover.hedging;
    if (!h.enabled || latency.size < h.minSamples) return undefined;
    return Math.max(h.minDelayMs, latency.recentPercentile(h.percentile));
  }

  private contextFor(target: DispatchTarget): SelectContext {
    this.selectContext.toolName = target.toolName;
    this.selectContext.requestType = target.requestType;
    return this.selectContext;
  }

  private async runOn<T>(
    entry: ServiceEntry,
    operation: (client: Client, entry: ServiceEntry, signal: AbortSignal) => Promise<T>,
    progress: { sent: boolean },
    signal?: AbortSignal,
    clientFor?: (entry: ServiceEntry) => Promise<Client>,
    attemptMs?: number,
  ): Promise<T> {
    const policy = this.policies.get(entry.name)?.policy;
    if (!policy) throw new SwitchboardError('TRANSPORT_ERROR', `service ${entry.name} was removed`, { service: entry.name });
    // A breaker past its open time admits exactly one trial call; cockatiel would park every other
    // caller on that trial (the whole timeout, when the service still hangs), so they go elsewhere.
    const trial = entry.breaker !== 'closed';
    if (trial) {
      if (entry.trialInFlight) throw new BrokenCircuitError(`the breaker of ${entry.name} is testing it with one trial call`);
      entry.trialInFlight = true;
      this.trialsInFlight++;
    }
    const stats = entry.stats;
    const started = this.now();
    const epoch = stats.begin();
    try {
      const value = await policy.execute(
        async ({ signal: callSignal }) => {
          const connect = (): Promise<Client> => (clientFor ? clientFor(entry) : this.pool.client(entry.descriptor));
          const client = await connect();
          progress.sent = true;
          try {
            return await operation(client, entry, callSignal);
          } catch (error) {
            if (!isSessionRejected(error)) throw error;
            // The upstream restarted and refused our old session before running anything: open a
            // new session and send the call once more, inside the breaker, so the renewal is not
            // counted against the service. (The gateway drops its own session on this error.)
            this.logger.info('upstream session renewed after the server forgot it', { service: entry.name });
            if (!clientFor) this.pool.renew(entry.name);
            return await operation(await connect(), entry, callSignal);
          }
        },
        // cockatiel's default parent signal is one shared object; concurrent timeouts would pile
        // listeners onto it, so each call gets its own.
        signal ?? new AbortController().signal,
        attemptMs,
      );
      const end = this.now();
      stats.end(true, end - started, end, epoch);
      this.observeOutcome(entry, true, end);
      return value;
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof CallerCancelledError) {
        stats.cancel(); // not a call the service failed: no sample, no health evidence
      } else {
        const end = this.now();
        const serviceFailure = isServiceFailure(error);
        stats.end(!serviceFailure, end - started, end, epoch);
        this.observeOutcome(entry, !serviceFailure, end);
        // A refused or dropped connection means the upstream is down, not just slow: tell health
        // now rather than at the next ping (timeouts are left to the breaker).
        if (serviceFailure && (isConnectionFailure(error) || !this.pool.connected(entry.name))) this.monitor?.record(entry, false, (error as Error).message);
        // The upstream forgot our session (restarted) or the link is dead: start a fresh one.
        if (serviceFailure && !clientFor && isUpstreamSessionLost(error)) this.pool.invalidate(entry.name, (error as Error).message);
      }
      throw error;
    } finally {
      if (trial) {
        entry.trialInFlight = false;
        this.trialsInFlight--;
      }
    }
  }

  /** Call a tool on the best service, failing over; returns the pattern's result shape. */
  async routeRequest(request: RouteRequest): Promise<RouteResult> {
    const started = this.now();
    const problem = validateRequest(request);
    if (problem) {
      return {
        success: false,
        latency: 0,
        failoverAttempts: 0,
        error: problem,
        errorCode: 'INVALID_REQUEST',
        routingMetadata: { routingStrategy: this.strategyName, alternativesAvailable: 0, discoveryAgeSeconds: this.discoveryAgeSeconds },
      };
    }
    const outcome = await this.dispatch(request, (client, _entry, signal) =>
      client.callTool({ name: request.toolName, arguments: request.arguments ?? {} }, undefined, {
        signal,
        timeout: this.config.failover.timeoutMs + 1_000, // our own timeout policy fires first
      }) as Promise<CallToolResult>,
    );
    const result: RouteResult = {
      success: false,
      latency: (this.now() - started) / 1000,
      failoverAttempts: outcome.failoverAttempts,
      routingMetadata: {
        routingStrategy: this.strategyName,
        alternativesAvailable: outcome.alternativesAvailable,
        discoveryAgeSeconds: this.discoveryAgeSeconds,
        ...(outcome.service ? { selectedService: outcome.service } : {}),
        ...(outcome.panic ? { panic: true } : {}),
        ...(outcome.hedged ? { hedged: true } : {}),
      },
    };
    if (outcome.service) result.serviceUsed = outcome.service;
    if (outcome.attempts.length > 0) {
      result.attempts = outcome.attempts;
      if (outcome.service || outcome.failoverAttempts > 0) result.primaryServiceFailed = outcome.attempts[0]!.service;
    }
    if (outcome.value) {
      result.result = outcome.value;
      if (outcome.value.isError) {
        result.errorCode = 'TOOL_ERROR';
        result.error = toolErrorText(outcome.value);
      } else {
        result.success = true;
      }
    } else if (outcome.error) {
      result.error = outcome.error.message;
      result.errorCode = outcome.error.code;
    }
    return result;
  }

  /** Run one health-check round now (the interval keeps running too). */
  async checkHealth(): Promise<void> {
    await this.initialize();
    await this.monitor?.checkAll();
  }

  async getServiceHealth(): Promise<Record<string, ServiceHealthReport>> {
    const out: Record<string, ServiceHealthReport> = {};
    for (const e of this.registry.all()) {
      out[e.name] = {
        healthy: e.status === 'healthy' || e.status === 'unknown',
        status: e.status,
        healthCheck: e.health.status,
        successRate: e.stats.successRate,
        totalRequests: e.stats.total,
        averageLatency: e.stats.averageLatencyMs / 1000,
        inFlight: e.stats.inFlight,
        breakerState: e.breaker,
        consecutiveFailures: e.health.consecutiveFailures,
        ejections: e.ejections,
        restarts: this.poolInstance?.state(e.name)?.restarts ?? 0,
        source: e.descriptor.source,
        transport: e.descriptor.transport,
        ...(e.health.lastError ? { lastError: e.health.lastError } : {}),
        ...(e.health.lastCheckAt ? { lastCheckAt: new Date(e.health.lastCheckAt).toISOString() } : {}),
      };
    }
    return out;
  }

  getPerformanceReport(): PerformanceReport {
    const now = this.now();
    const services: PerformanceReport['services'] = {};
    for (const e of this.registry.all()) {
      const s = e.stats;
      services[e.name] = {
        totalRequests: s.total,
        successfulRequests: s.successes,
        failedRequests: s.failures,
        averageLatency: s.averageLatencyMs / 1000,
        ewmaLatency: s.ewmaLatencyMs(now) / 1000,
        p50Latency: s.percentile(50) / 1000,
        p99Latency: s.percentile(99) / 1000,
        inFlight: s.inFlight,
      };
    }
    return { services, totalRoutingDecisions: this.decisions, totalFailovers: this.failovers, totalHedges: this.hedges, discoveryAgeSeconds: this.discoveryAgeSeconds };
  }

  close(): Promise<void> {
    return (this.closePromise ??= this.doClose());
  }

  private async doClose(): Promise<void> {
    const wasStarting = this.initPromise;
    this.state = 'closed';
    if (wasStarting) await wasStarting.catch(() => undefined);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.monitor?.stop();
    await Promise.all(
      (this.wired?.discoverers ?? []).map((d) =>
        d.stop().catch((error: unknown) => this.logger.warn('discoverer failed to stop', { plugin: d.id, error })),
      ),
    );
    await this.poolInstance?.close();
    for (const p of this.policies.values()) p.dispose();
    this.policies.clear();
    this.registry.removeAllListeners();
    await this.container?.dispose();
  }
}

let requestCounter = 0;
/** Unique within the process (and across routers in it), short, and sortable by creation. */
function nextRequestId(): string {
  return `${process.pid.toString(36)}-${(++requestCounter).toString(36)}`;
}

export function createRouter(config: unknown = {}, options: RouterOptions = {}): Router {
  return new Router(config, options);
}

function validateRequest(request: RouteRequest): string | undefined {
  if (typeof request !== 'object' || request === null) return 'routeRequest needs an object { toolName, arguments, requiredCapabilities }';
  if (typeof request.toolName !== 'string' || request.toolName === '') return '`toolName` must be a non-empty string';
  if (request.arguments !== undefined && (typeof request.arguments !== 'object' || request.arguments === null || Array.isArray(request.arguments)))
    return '`arguments` must be an object';
  if (request.requiredCapabilities !== undefined && (!Array.isArray(request.requiredCapabilities) || !request.requiredCapabilities.every((c) => typeof c === 'string')))
    return '`requiredCapabilities` must be an array of strings';
  return undefined;
}

function noServiceMessage(target: DispatchTarget, required: readonly string[], registry: ServiceRegistry, now: number): string {
  const what = required.length > 0 ? `capabilities [${required.join(', ')}]` : 'this request';
  const known = registry.size;
  const offering = registry.all().filter((e) => required.every((c) => e.has(c)));
  if (offering.length > 0) {
    const why = offering.map((e) => `${e.name}: ${e.breaker === 'open' && now < e.breakerReopenAt ? `ejected for ${Math.ceil(e.breakerReopenAt - now)} ms more` : e.health.status}`);
    return `every service offering ${what} is unavailable right now (${why.join('; ')})`;
  }
  return known === 0
    ? `no services are registered yet; check the discovery config (needed: ${what})`
    : `no service offers ${what}${target.requestType ? ` (request type ${target.requestType})` : ''} among ${known} registered; check capabilities or the tool name`;
}

function toolErrorText(result: CallToolResult): string {
  const text = result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  return text || 'the tool reported an error';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SwitchboardError('TIMEOUT', `timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
