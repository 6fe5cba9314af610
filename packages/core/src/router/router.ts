// The router: the pattern API (createRouter → initialize, discoverServices, routeRequest,
// getServiceHealth, getPerformanceReport, refreshDiscovery, close) over its parts. It wires plugins
// into its own DI container and builds the pool, the service guard (the one writer of breaker and
// health state), the health monitor, the discovery runner and the dispatcher (the failover loop).
import { performance } from 'node:perf_hooks';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { SwitchboardConfig } from '../config/schema.js';
import { configError, parseConfig } from '../config/validate.js';
import type { Transport } from '../contracts.js';
import { SwitchboardError } from '../errors.js';
import { HealthMonitor } from '../health-monitor.js';
import { createLogger, type Logger } from '../logger.js';
import type { RouteObserver } from '../observer.js';
import { PluginCatalog } from '../plugin-catalog.js';
import { UpstreamPool } from '../pool.js';
import { ServiceRegistry } from '../registry.js';
import type { PerformanceReport, RouteRequest, RouteResult, ServerInfo, ServiceHealthReport } from '../route-types.js';
import { callUpstreamTool, type CallToolResult, type Client, type ClientCapabilities } from '../sdk/mcp.js';
import { newInstanceId } from '../self-recognition.js';
import { parsePluginOptions, wirePlugins, type Wired } from '../wiring.js';
import type { DispatchOutcome, DispatchTarget, Operation } from './dispatch-types.js';
import { Dispatcher } from './dispatcher.js';
import { DiscoveryRunner } from './discovery-runner.js';
import { performanceReport, serviceCatalogue, serviceHealth } from './reports.js';
import { ServiceGuard } from './service-guard.js';

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

type State = 'new' | 'initializing' | 'ready' | 'closed';

/** What initialize() builds; present from 'ready' on. */
interface Parts {
  container: DependencyContainer;
  wired: Wired;
  pool: UpstreamPool;
  guard: ServiceGuard;
  monitor: HealthMonitor;
  discovery: DiscoveryRunner;
  dispatcher: Dispatcher;
}

export class Router {
  config: SwitchboardConfig;
  readonly registry = new ServiceRegistry();
  /** Random per router: a gateway announces it, and no connector accepts an upstream announcing it back. */
  readonly instanceId = newInstanceId();
  readonly logger: Logger;
  private readonly catalog: PluginCatalog;
  private readonly random: () => number;
  private readonly connectTimeoutMs: number;
  private readonly configDir: string | undefined;
  private readonly observers: readonly RouteObserver[];
  private readonly headerSources = new Set<() => Record<string, string> | undefined>();
  private readonly clientCapabilities: ClientCapabilities | undefined;
  private readonly clientListeners = new Set<(name: string, client: Client) => void>();
  private readonly now = (): number => performance.now();
  private parts: Parts | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private state: State = 'new';
  private initPromise: Promise<void> | undefined;
  private closePromise: Promise<void> | undefined;

  constructor(config: unknown, options: RouterOptions = {}) {
    this.config = parseConfig(config);
    this.logger = options.logger ?? createLogger({ level: this.config.logLevel });
    this.catalog = new PluginCatalog(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {});
    this.configDir = options.configDir;
    for (const plugin of options.plugins ?? []) this.catalog.add(plugin);
    this.random = options.random ?? Math.random;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.observers = options.observers ?? [];
    this.clientCapabilities = options.clientCapabilities;
    this.registry.panicThresholdPercent = this.config.failover.panicThresholdPercent;
  }

  get strategyName(): string {
    return this.config.strategy.type;
  }

  /**
   * What discoverers reported as problems (an unreadable servers file, a bad record), newest last:
   * one-shot commands show them and fail when nothing was found.
   */
  get discoveryProblems(): ReadonlyArray<{ source: string; message: string }> {
    return this.parts?.discovery.problems ?? [];
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
    return this.ready().wired.transports;
  }

  /** The upstream connection pool (for embedding, such as the gateway). */
  get pool(): UpstreamPool {
    return this.ready().pool;
  }

  initialize(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new SwitchboardError('CLOSED', 'the router is closed'));
    return (this.initPromise ??= this.doInitialize());
  }

  private ready(): Parts {
    if (!this.parts) throw new SwitchboardError('NOT_INITIALIZED', 'call initialize() before using the router');
    return this.parts;
  }

  private async doInitialize(): Promise<void> {
    this.state = 'initializing';
    // Each router gets its own child container, disposed on close(); never the global one.
    const container = rootContainer.createChildContainer();
    let wired: Wired;
    try {
      wired = await wirePlugins(this.config, this.catalog, container, this.logger, this.configDir, this.now);
    } catch (error) {
      this.state = 'new';
      this.initPromise = undefined;
      await container.dispose();
      throw error;
    }
    const healthConfig = this.config.health || { type: 'none', intervalMs: 30_000, timeoutMs: 5_000, unhealthyThreshold: 2, healthyThreshold: 1 };
    const guard = new ServiceGuard(this.registry, this.config.failover, healthConfig, this.logger, this.now);
    const pool = new UpstreamPool({
      transports: wired.transports,
      logger: this.logger,
      connectTimeoutMs: this.connectTimeoutMs,
      instanceId: this.instanceId,
      supervise: true,
      ...(this.clientCapabilities ? { clientCapabilities: this.clientCapabilities } : {}),
      // Always: header sources may be added after initialize (the gateway's per-call upstream credentials).
      requestHeaders: () => this.outgoingHeaders(),
      onCatalog: (name, lists) => {
        const entry = this.registry.get(name);
        if (entry) this.registry.setCatalog(entry, lists);
      },
      onClient: (name, client) => {
        for (const listener of this.clientListeners) listener(name, client);
      },
      onReconnect: (name) => {
        const entry = this.registry.get(name);
        if (entry) guard.recordHealth(entry, true);
      },
      onDisconnect: (name, reason) => {
        const entry = this.registry.get(name);
        if (entry) guard.recordHealth(entry, false, reason);
      },
    });
    const monitor = new HealthMonitor(
      wired.health,
      healthConfig,
      this.registry,
      (e, signal) => pool.ping(e.descriptor, signal),
      (e, healthy, detail, latencyMs) => guard.recordHealth(e, healthy, detail, latencyMs),
      // A restarted server has forgotten our session, and a hung one may hold it: start afresh.
      (e) => pool.invalidate(e.name, e.health.lastError ?? 'health check failed'),
    );
    const discovery = new DiscoveryRunner(wired.discoverers, this.registry, pool, guard, this.logger, () => this.config.discoveryTimeoutMs);
    const dispatcher = new Dispatcher({
      config: this.config,
      registry: this.registry,
      guard,
      pool,
      strategy: wired.strategy,
      strategyName: wired.strategyName,
      observers: this.observers,
      logger: this.logger,
      random: this.random,
      now: this.now,
    });
    this.parts = { container, wired, pool, guard, monitor, discovery, dispatcher };

    this.registry.on('added', (entry) => {
      guard.add(entry);
      this.logger.info('service added', { service: entry.name, source: entry.descriptor.source });
      discovery.warm(entry);
    });
    this.registry.on('updated', (entry) => {
      guard.add(entry);
      void pool.drop(entry.name).then(() => discovery.warm(entry));
    });
    this.registry.on('removed', (entry) => {
      guard.remove(entry);
      this.logger.info('service removed', { service: entry.name });
      void pool.drop(entry.name);
    });

    await discovery.start();
    monitor.start();
    if (this.config.enableAutoRefresh) {
      this.refreshTimer = setInterval(() => void this.refreshDiscovery().catch(() => undefined), this.config.discoveryIntervalMs);
      this.refreshTimer.unref();
    }
    this.state = 'ready';
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
    const { discovery } = this.ready();
    const applied: string[] = [];
    const needsRestart: string[] = [];
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    for (const key of ['strategy', 'failover', 'health', 'plugins', 'discoveryIntervalMs', 'enableAutoRefresh', 'discoveryTimeoutMs', 'tracing'] as const) {
      if (!same(this.config[key], next[key])) needsRestart.push(key);
    }
    const discoverers = discovery.discoverers;
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
    if (updates.length > 0) await discovery.settle();
    return { applied, needsRestart };
  }

  /** Refresh every discoverer and wait for new services' first connection; returns the catalogue. */
  async discoverServices(): Promise<Record<string, ServerInfo>> {
    await this.initialize();
    await this.refreshDiscovery();
    return serviceCatalogue(this.registry);
  }

  async refreshDiscovery(): Promise<void> {
    await this.initialize();
    await this.ready().discovery.refresh();
  }

  get discoveryAgeSeconds(): number {
    return this.parts?.discovery.ageSeconds ?? 0;
  }

  /**
   * Route one operation: choose a service with the strategy, run `operation` on its client, and on
   * a service failure exclude it and choose again, up to failover.maxAttempts more times.
   */
  dispatch<T>(target: DispatchTarget, operation: Operation<T>): Promise<DispatchOutcome<T>> {
    if (this.state !== 'ready' || !this.parts) {
      const error =
        this.state === 'closed'
          ? new SwitchboardError('CLOSED', 'the router is closed')
          : new SwitchboardError('NOT_INITIALIZED', 'call initialize() before routing requests');
      return Promise.resolve({ error, failoverAttempts: 0, attempts: [], alternativesAvailable: 0, panic: false });
    }
    return this.parts.dispatcher.dispatch(target, operation);
  }

  /**
   * Headers observers want on outgoing upstream HTTP requests made in the current async context,
   * then those of every source added with addRequestHeaders (later ones win).
   */
  outgoingHeaders(): Record<string, string> | undefined {
    let out: Record<string, string> | undefined;
    for (const observer of this.observers) {
      const headers = observer.outgoingHeaders?.();
      if (headers) out = { ...out, ...headers };
    }
    for (const source of this.headerSources) {
      const headers = source();
      if (headers) out = { ...out, ...headers };
    }
    return out;
  }

  /**
   * Add headers to upstream HTTP requests made in the caller's async context (read at send time,
   * so an AsyncLocalStorage set around a call scopes them to it). Returns the removal.
   */
  addRequestHeaders(source: () => Record<string, string> | undefined): () => void {
    this.headerSources.add(source);
    return () => void this.headerSources.delete(source);
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
      callUpstreamTool(client, { name: request.toolName, arguments: request.arguments ?? {} }, {
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
    await this.parts?.monitor.checkAll();
  }

  async getServiceHealth(): Promise<Record<string, ServiceHealthReport>> {
    return serviceHealth(this.registry, this.parts?.pool);
  }

  getPerformanceReport(): PerformanceReport {
    const totals = this.parts?.dispatcher ?? { decisions: 0, failovers: 0, hedges: 0 };
    return performanceReport(this.registry, totals, this.discoveryAgeSeconds, this.now());
  }

  close(): Promise<void> {
    return (this.closePromise ??= this.doClose());
  }

  private async doClose(): Promise<void> {
    const wasStarting = this.initPromise;
    this.state = 'closed';
    this.parts?.discovery.halt();
    if (wasStarting) await wasStarting.catch(() => undefined);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    const parts = this.parts;
    if (!parts) return;
    parts.discovery.halt(); // parts may have been built while the close waited for initialize
    parts.monitor.stop();
    await parts.discovery.stop();
    await parts.pool.close();
    parts.guard.dispose();
    this.registry.removeAllListeners();
    await parts.container.dispose();
  }
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

function toolErrorText(result: CallToolResult): string {
  const text = result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  return text || 'the tool reported an error';
}
