// The one writer of every service's breaker and health state. What routing observes (a call's
// outcome, a lost hedge, a refused connection), what health checks find, and what the pool sees
// (a drop, a reconnect) all arrive here, and only here are breakers opened and closed, services
// ejected and un-ejected, and health status changed. Everyone else reads.
import { CallerCancelledError, createServicePolicy, type ServicePolicy } from '../breaker.js';
import type { FailoverConfig, HealthConfig } from '../config/schema.js';
import { BrokenCircuitError } from 'cockatiel';
import type { Logger } from '../logger.js';
import type { ServiceEntry, ServiceRegistry } from '../registry.js';
import type { HedgeAttempt } from '../hedging.js';

interface Guarded {
  policy: ServicePolicy;
  eject(): void;
  dispose(): void;
}

export class ServiceGuard {
  private readonly policies = new Map<string, Guarded>();
  /** Services with a half-open trial call in flight (selection skips them until it ends). */
  private trials = 0;

  constructor(
    private readonly registry: ServiceRegistry,
    private readonly failover: FailoverConfig,
    private readonly health: Pick<HealthConfig, 'healthyThreshold' | 'unhealthyThreshold'>,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Whether any service has a trial in flight (the dispatcher filters candidates only then). */
  get trialsInFlight(): number {
    return this.trials;
  }

  /**
   * Per service, its calls that lost their hedge race and are still unanswered (see
   * judgeHedgeLoser); only services that have some, so a registry of thousands holds nothing here.
   */
  private readonly lostPending = new Map<ServiceEntry, number>();

  /** Whether any service has such calls (the dispatcher looks for suspects only then). */
  get lostRacesPending(): boolean {
    return this.lostPending.size > 0;
  }

  /**
   * The service has enough calls beaten by a hedge and still unanswered (two) to take no new call
   * while another candidate can.
   */
  isSuspect(entry: ServiceEntry): boolean {
    return (this.lostPending.get(entry) ?? 0) >= 2;
  }

  // ── Lifecycle with the registry ──────────────────────────────────────────────────────────────

  add(entry: ServiceEntry): void {
    this.policies.get(entry.name)?.dispose();
    this.policies.set(entry.name, createServicePolicy(entry, this.registry, this.failover, this.now));
  }

  remove(entry: ServiceEntry): void {
    this.policies.get(entry.name)?.dispose();
    this.policies.delete(entry.name);
  }

  /** The breaker-wrapped executor for a service, or undefined once it is removed. */
  policy(entry: ServiceEntry): ServicePolicy | undefined {
    return this.policies.get(entry.name)?.policy;
  }

  dispose(): void {
    for (const p of this.policies.values()) p.dispose();
    this.policies.clear();
  }

  // ── Half-open trials ─────────────────────────────────────────────────────────────────────────

  /**
   * A breaker past its open time admits exactly one trial call; cockatiel would park every other
   * caller on that trial (the whole timeout, when the service still hangs), so they go elsewhere.
   * Returns whether this call is the trial (end it with endTrial); throws when another one is.
   */
  beginCall(entry: ServiceEntry): boolean {
    if (entry.breaker === 'closed') return false;
    if (entry.trialInFlight) throw new BrokenCircuitError(`the breaker of ${entry.name} is testing it with one trial call`);
    entry.trialInFlight = true;
    this.trials++;
    return true;
  }

  endTrial(entry: ServiceEntry): void {
    entry.trialInFlight = false;
    this.trials--;
  }

  /** Not a failure of the service (its breaker refused, or the caller gave up). */
  static isNotTheServices(error: unknown): boolean {
    return error instanceof BrokenCircuitError || error instanceof CallerCancelledError;
  }

  // ── Outcomes of calls ────────────────────────────────────────────────────────────────────────

  /** Failure-rate outlier detection over a window (Envoy's failure_percentage). */
  callOutcome(entry: ServiceEntry, ok: boolean, now: number): void {
    const o = this.failover.outlier;
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
   * A service that keeps losing hedge races has not answered calls that another replica answered
   * meanwhile: it hangs, or is far slower than its peers. After breaker.consecutiveFailures losses
   * in a row it is ejected like a failing one (growing ejection time), in milliseconds rather than
   * after as many per-attempt timeouts.
   */
  hedgeOutcome(entry: ServiceEntry, answered: boolean): void {
    if (answered) {
      entry.hedgeLosses = 0;
      return;
    }
    if (++entry.hedgeLosses < this.failover.breaker.consecutiveFailures) return;
    entry.hedgeLosses = 0;
    this.logger.warn('service ejected: it lost every recent hedge to another replica', { service: entry.name });
    this.policies.get(entry.name)?.eject();
  }

  /**
   * The primary lost its hedge race: it counts as a lost race only if it is still unanswered well
   * after (ten hedge delays, at least 50 ms), so a replica that is merely slow for a moment (a
   * reconnect) is not ejected, while one that hangs is within tens of milliseconds.
   */
  judgeHedgeLoser(primary: HedgeAttempt<unknown>, hedgeMs: number): void {
    let settled = false;
    // Until it answers, the loser counts as pending: a replica that hangs collects such calls within
    // a hedge delay or two, and is passed over from then on, long before the losses are judged. Before,
    // round-robin and first-match kept sending it calls until its ejection (100-400 ms under load),
    // more than the hedge budget could rescue, and the rest waited out their attempt timeout (1 s).
    const entry = primary.entry;
    this.lostPending.set(entry, (this.lostPending.get(entry) ?? 0) + 1);
    const done = (): void => {
      settled = true;
      const left = (this.lostPending.get(entry) ?? 1) - 1;
      if (left > 0) this.lostPending.set(entry, left);
      else this.lostPending.delete(entry);
    };
    primary.promise.then(done, done);
    const timer = setTimeout(() => {
      if (!settled) this.hedgeOutcome(primary.entry, false);
    }, Math.max(50, 10 * hedgeMs));
    timer.unref();
  }

  // ── Health ───────────────────────────────────────────────────────────────────────────────────

  /** Apply one health observation: a check's result, or a connection seen failing or recovering. */
  recordHealth(entry: ServiceEntry, healthy: boolean, detail?: string, latencyMs?: number): void {
    const h = entry.health;
    h.lastCheckAt = Date.now();
    const before = h.status;
    if (healthy) {
      h.consecutiveSuccesses++;
      h.consecutiveFailures = 0;
      if (latencyMs !== undefined) {
        h.lastLatencyMs = latencyMs;
        entry.stats.observeLatency(latencyMs, this.now());
      }
      if (h.status !== 'healthy' && (h.status === 'unknown' || h.consecutiveSuccesses >= this.health.healthyThreshold)) {
        // Back from unhealthy: latencies measured while it failed say nothing about it now.
        if (h.status === 'unhealthy') entry.stats.resetLatency();
        h.status = 'healthy';
      }
      if (h.status === 'healthy' && entry.breaker !== 'closed') this.uneject(entry);
    } else {
      h.consecutiveFailures++;
      h.consecutiveSuccesses = 0;
      h.lastError = detail;
      // A service never seen working goes down on its first failure; a working one after the threshold.
      if (h.status === 'unknown' || (h.status === 'healthy' && h.consecutiveFailures >= this.health.unhealthyThreshold)) h.status = 'unhealthy';
    }
    if (h.status !== before) {
      const level = h.status === 'unhealthy' ? 'warn' : 'info';
      this.logger[level](`service is ${h.status}`, { service: entry.name, detail });
      this.registry.markChanged(entry);
    }
  }

  /**
   * Proof of recovery (a health check or reconnect succeeded) takes a service out of ejection at
   * once, as Envoy's active health checks do, instead of waiting out its breaker's open time.
   */
  uneject(entry: ServiceEntry): void {
    // Latencies from the failure say nothing about the service now, whether or not its breaker is
    // still open (an ejection for lost hedges may have run out already).
    entry.stats.resetLatency();
    entry.hedgeLosses = 0;
    if (entry.breaker === 'closed' || !this.policies.has(entry.name)) return;
    this.policies.get(entry.name)?.dispose();
    entry.breaker = 'closed';
    entry.consecutiveEjections = 0;
    this.policies.set(entry.name, createServicePolicy(entry, this.registry, this.failover, this.now));
    this.registry.markChanged(entry);
    this.logger.info('service un-ejected after recovering', { service: entry.name });
  }
}
