// The failover loop and each attempt: choose a service with the strategy, run the operation on its
// client under its breaker and timeout, hedge safe calls that run long, and on a service failure
// exclude it and choose again, within the retry budget and only when repeating cannot do harm.
// Outcomes go to the service guard, which alone changes breaker and health state.
import type { SwitchboardConfig } from '../config/schema.js';
import type { SelectContext, Strategy } from '../contracts.js';
import { SwitchboardError } from '../errors.js';
import { classifyFailure, isServiceFailure } from '../failure.js';
import { HedgeFailure, raceHedged, type HedgeAttempt } from '../hedging.js';
import { LatencyWindow } from '../latency-window.js';
import { isConnectionFailure, isSessionRejected, isUpstreamSessionLost, provesNotDelivered } from '../link-faults.js';
import type { Logger } from '../logger.js';
import type { RouteObserver, RoutedCallInfo } from '../observer.js';
import type { UpstreamPool } from '../pool.js';
import type { ServiceEntry, ServiceRegistry } from '../registry.js';
import { backoffDelay, RetryBudget } from '../retry-budget.js';
import { toolIsRetryable } from '../retry-safety.js';
import type { Client } from '../sdk/mcp.js';
import type { AttemptFailure, DispatchOutcome, DispatchTarget, Operation } from './dispatch-types.js';
import { nextRequestId, noServiceMessage, sleep } from './helpers.js';
import { ServiceGuard } from './service-guard.js';

export interface DispatcherParts {
  readonly config: SwitchboardConfig;
  readonly registry: ServiceRegistry;
  readonly guard: ServiceGuard;
  readonly pool: UpstreamPool;
  readonly strategy: Strategy;
  readonly strategyName: string;
  readonly observers: readonly RouteObserver[];
  readonly logger: Logger;
  readonly random: () => number;
  readonly now: () => number;
}

/** Operations whose latency is remembered at most (per-attempt timeouts derive from it). */
export const MAX_OPERATION_WINDOWS = 10_000;

export class Dispatcher {
  /** Routing decisions, failovers and hedges so far (the performance report's totals). */
  decisions = 0;
  failovers = 0;
  hedges = 0;
  private readonly retryBudget: RetryBudget;
  private readonly hedgeBudget: RetryBudget;
  /** Recent successful latencies per operation (tool name, or method), across the services serving it. */
  private readonly operationLatency = new Map<string, LatencyWindow>();

  /** How many operations have a latency window (for tests of the bound). */
  get operationWindows(): number {
    return this.operationLatency.size;
  }
  // Reused for every select(): strategies are synchronous, so one mutable context allocates nothing.
  private readonly selectContext: { toolName?: string; requestType?: string; random(): number; now(): number };

  constructor(private readonly parts: DispatcherParts) {
    const { failover } = parts.config;
    this.retryBudget = new RetryBudget(failover.retryBudget.percent, failover.retryBudget.minPerSecond, parts.now);
    this.hedgeBudget = new RetryBudget(failover.hedging.budgetPercent, failover.hedging.budgetMinPerSecond, parts.now);
    this.selectContext = { random: parts.random, now: parts.now };
  }

  /**
   * Route one operation: choose a service with the strategy, run `operation` on its client, and on
   * a service failure exclude it and choose again, up to failover.maxAttempts more times.
   */
  dispatch<T>(target: DispatchTarget, operation: Operation<T>): Promise<DispatchOutcome<T>> {
    const { observers, strategyName, now } = this.parts;
    // No id is made on the hot path unless someone reads it (observers, or a failover log line).
    if (observers.length === 0) return this.run(target, operation, undefined, undefined);
    const requestId = nextRequestId();
    const info: RoutedCallInfo = {
      operation: target.operation ?? (target.toolName !== undefined ? 'tools/call' : 'request'),
      ...(target.toolName !== undefined ? { toolName: target.toolName } : {}),
      ...(target.target !== undefined ? { target: target.target } : target.toolName !== undefined ? { target: target.toolName } : {}),
      strategy: strategyName,
      requestId,
      ...(target.trace ? { parent: target.trace } : {}),
      ...(target.protocolVersion ? { protocolVersion: target.protocolVersion } : {}),
      ...(target.jsonrpcRequestId !== undefined ? { jsonrpcRequestId: target.jsonrpcRequestId } : {}),
    };
    const started = now();
    let run = (): Promise<DispatchOutcome<T>> => this.run(target, operation, info, requestId);
    for (const observer of observers) {
      const inner = run;
      if (observer.around) run = () => observer.around!(info, inner);
    }
    return run().then((outcome) => {
      const routed = {
        ...info,
        ...(outcome.service ? { service: outcome.service } : {}),
        ok: !outcome.error,
        failoverAttempts: outcome.failoverAttempts,
        latencyMs: now() - started,
        ...(outcome.error ? { errorCode: outcome.error.code } : {}),
      };
      for (const observer of observers) observer.onRouted?.(routed);
      return outcome;
    });
  }

  private async run<T>(target: DispatchTarget, operation: Operation<T>, info: RoutedCallInfo | undefined, requestId: string | undefined): Promise<DispatchOutcome<T>> {
    const { registry, guard, strategy, strategyName, observers, logger, random, now } = this.parts;
    const failover = this.parts.config.failover;
    const attempts: AttemptFailure[] = [];
    const caps = target.requiredCapabilities ?? [];
    const required = target.toolName && !caps.includes(target.toolName) ? [...caps, target.toolName] : caps;
    const key = `${target.toolName ?? ''}\u0000${caps.join('\u0001')}\u0000${target.requestType ?? ''}`;
    this.decisions++;
    this.retryBudget.recordRequest();
    this.hedgeBudget.recordRequest();
    const progress = { sent: false };
    let excluded: Set<ServiceEntry> | undefined;
    let alternatives = 0;
    let panic = false;
    const latencyKey = target.toolName ?? target.operation ?? target.requestType ?? '';
    let latency = this.operationLatency.get(latencyKey);
    if (!latency) {
      // A router-API caller may name any tool: bound the windows as the registry bounds its cache.
      if (this.operationLatency.size >= MAX_OPERATION_WINDOWS) this.operationLatency.clear();
      this.operationLatency.set(latencyKey, (latency = new LatencyWindow()));
    }
    const repeatable = (entry: ServiceEntry): boolean =>
      target.idempotent ?? (target.toolName !== undefined && toolIsRetryable(entry.tools.get(target.toolName), target.toolName, failover.retryableTools));
    for (let attempt = 0; ; attempt++) {
      const set = registry.candidates(key, required, target.requestType, now());
      panic ||= set.panic;
      const allowed = target.services;
      // A service whose half-open trial is in flight takes no other call until the trial ends; one
      // whose calls keep losing hedge races unanswered takes none while another candidate can.
      let list =
        excluded || allowed || guard.trialsInFlight > 0
          ? set.list.filter((e) => !(excluded?.has(e) ?? false) && (allowed?.has(e.name) ?? true) && !e.trialInFlight)
          : set.list;
      if (guard.lostRacesPending && list.some((e) => guard.isSuspect(e))) {
        const trusted = list.filter((e) => !guard.isSuspect(e));
        if (trusted.length > 0) list = trusted;
      }
      if (attempt === 0) alternatives = Math.max(0, list.length - 1);
      let chosen: ServiceEntry | undefined;
      try {
        chosen = list.length === 0 ? undefined : (strategy.select(list, this.contextFor(target)) as ServiceEntry | undefined);
      } catch (error) {
        const wrapped = SwitchboardError.from(error, { code: 'PLUGIN_ERROR', plugin: strategyName, prefix: `strategy '${strategyName}' failed in select()` });
        return { error: wrapped, failoverAttempts: attempt, attempts, alternativesAvailable: alternatives, panic };
      }
      if (!chosen) {
        const error =
          attempt === 0
            ? new SwitchboardError('NO_SERVICE', noServiceMessage(target, required, registry, now()))
            : new SwitchboardError('ALL_FAILED', `every eligible service failed (${attempts.map((a) => `${a.service}: ${a.error}`).join('; ')})`);
        return { error, failoverAttempts: Math.max(0, attempt - 1), attempts, alternativesAvailable: alternatives, panic };
      }
      const safe = repeatable(chosen);
      const attemptMs = safe ? this.attemptTimeout(chosen, latency) : undefined;
      const baseTimeoutMs = chosen.descriptor.timeoutMs ?? failover.timeoutMs;
      const hedgeMs = safe && target.hedge !== false && list.length > 1 ? this.hedgeDelay(latency) : undefined;
      progress.sent = false;
      const attemptStarted = now();
      const primary: HedgeAttempt<T> = { entry: chosen, started: attemptStarted, progress, promise: this.attempt(chosen, operation, progress, target, attemptMs) };
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
                  started: now(),
                  progress: hedgeProgress,
                  promise: this.attempt(second, operation, hedgeProgress, target, this.attemptTimeout(second, latency)),
                };
                return hedge;
              });
        const done = now();
        latency.add(done - won.attempt.started);
        if (won.attempt === primary) guard.hedgeOutcome(primary.entry, true);
        else guard.judgeHedgeLoser(primary, hedgeMs!);
        if (info) for (const o of observers) o.onAttempt?.({ ...info, service: won.attempt.entry.name, attempt, ok: true, latencyMs: done - won.attempt.started });
        return { value: won.value, service: won.attempt.entry.name, failoverAttempts: attempt, attempts, alternativesAvailable: alternatives, panic, ...(won.attempt !== primary ? { hedged: true } : {}) };
      } catch (caught) {
        // Every attempt launched this round failed (the primary, and a hedge if one went out): record
        // each, primary first; whether to go on is decided on the last one's failure.
        const failures = caught instanceof HedgeFailure ? [...(caught.failures as Array<{ attempt: HedgeAttempt<T>; error: unknown }>)].sort((a) => (a.attempt === primary ? -1 : 1)) : [{ attempt: primary, error: caught }];
        let failure!: ReturnType<typeof classifyFailure>;
        for (const f of failures) {
          failure = classifyFailure(f.error, f.attempt.entry.name, f.attempt === primary ? (attemptMs ?? baseTimeoutMs) : baseTimeoutMs);
          attempts.push({ service: f.attempt.entry.name, errorCode: failure.error.code, error: failure.error.message });
          if (info) for (const o of observers) o.onAttempt?.({ ...info, service: f.attempt.entry.name, attempt, ok: false, latencyMs: now() - f.attempt.started, errorCode: failure.error.code });
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
        logger.info('failing over', { requestId: (requestId ??= nextRequestId()), tool: target.toolName, service: chosen.name, errorCode: failure.error.code, error: failure.error.message, attempt: attempt + 1 });
        const delay = backoffDelay(attempt, failover.backoff.baseMs, failover.backoff.maxMs, random);
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
    const { failover } = this.parts.config;
    const at = failover.attemptTimeout;
    if (at.multiplier === 0 || latency.size < at.minSamples) return undefined;
    const base = entry.descriptor.timeoutMs ?? failover.timeoutMs;
    // Whole milliseconds: the value is said in errors ("did not answer within 364 ms"), not 363.966….
    return Math.min(base, Math.max(at.minMs, Math.ceil(at.multiplier * latency.recentPercentile(at.percentile))));
  }

  /** How long the first attempt of a safe call runs alone before a hedge is sent; undefined: no hedge. */
  private hedgeDelay(latency: LatencyWindow): number | undefined {
    const h = this.parts.config.failover.hedging;
    if (!h.enabled || latency.size < h.minSamples) return undefined;
    return Math.max(h.minDelayMs, latency.recentPercentile(h.percentile));
  }

  private contextFor(target: DispatchTarget): SelectContext {
    this.selectContext.toolName = target.toolName;
    this.selectContext.requestType = target.requestType;
    return this.selectContext;
  }

  /** One attempt on one service, under its breaker: stats, outcome and health evidence recorded. */
  private async attempt<T>(entry: ServiceEntry, operation: Operation<T>, progress: { sent: boolean }, target: DispatchTarget, attemptMs?: number): Promise<T> {
    const { guard, pool, logger, now } = this.parts;
    const { signal, client: clientFor } = target;
    // The one place a lost session is renewed: the caller's own sessions through its hook, the
    // shared pool's here ('forgotten': reconnect at once; 'lost': a drop, with its backoff).
    const renew = (why: 'forgotten' | 'lost', reason: string): void => {
      if (clientFor) target.renew?.(entry, why);
      else if (why === 'forgotten') pool.renew(entry.name);
      else pool.invalidate(entry.name, reason);
    };
    const policy = guard.policy(entry);
    if (!policy) throw new SwitchboardError('TRANSPORT_ERROR', `service ${entry.name} was removed`, { service: entry.name });
    const trial = guard.beginCall(entry);
    const stats = entry.stats;
    const started = now();
    const epoch = stats.begin();
    try {
      const value = await policy.execute(
        async ({ signal: callSignal }) => {
          const connect = (): Promise<Client> => (clientFor ? clientFor(entry) : pool.client(entry.descriptor));
          const client = await connect();
          progress.sent = true;
          try {
            return await operation(client, entry, callSignal);
          } catch (error) {
            if (!isSessionRejected(error)) throw error;
            // The upstream restarted and refused our old session before running anything: open a
            // new session and send the call once more, inside the breaker, so the renewal is not
            // counted against the service. (The gateway drops its own session on this error.)
            logger.info('upstream session renewed after the server forgot it', { service: entry.name });
            renew('forgotten', (error as Error).message);
            return await operation(await connect(), entry, callSignal);
          }
        },
        signal,
        attemptMs,
      );
      const end = now();
      stats.end(true, end - started, end, epoch);
      guard.callOutcome(entry, true, end);
      return value;
    } catch (error) {
      if (ServiceGuard.isNotTheServices(error)) {
        stats.cancel(); // not a call the service failed: no sample, no health evidence
      } else {
        const end = now();
        const serviceFailure = isServiceFailure(error);
        stats.end(!serviceFailure, end - started, end, epoch);
        guard.callOutcome(entry, !serviceFailure, end);
        // A refused or dropped connection means the upstream is down, not just slow: tell health
        // now rather than at the next ping (timeouts are left to the breaker).
        if (serviceFailure && (isConnectionFailure(error) || !pool.connected(entry.name))) guard.recordHealth(entry, false, (error as Error).message);
        // The upstream forgot our session (restarted) or the link is dead: start a fresh one.
        if (serviceFailure && isUpstreamSessionLost(error)) renew('lost', (error as Error).message);
      }
      throw error;
    } finally {
      if (trial) guard.endTrial(entry);
    }
  }
}
