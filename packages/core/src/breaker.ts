// A cockatiel circuit breaker and an attempt timeout per service. An open breaker takes the service out of
// the candidate lists until its half-open time, so requests skip it without waiting.
import { ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy, type IBackoff } from 'cockatiel';
import { NEVER_ABORTED, runWithTimeout } from './attempt-timeout.js';
import type { CallCancellation, CancelSignal } from './cancel-signal.js';
import type { FailoverConfig } from './config/schema.js';
import { isServiceFailure } from './failure.js';
import type { ServiceEntry, ServiceRegistry } from './registry.js';

export interface ServicePolicy {
  /** Run one attempt through the breaker, cut after `timeoutMs` (default: the service's timeout). */
  execute<T>(fn: (context: { signal: CallCancellation }) => Promise<T>, signal?: CancelSignal, timeoutMs?: number): Promise<T>;
}

/** The caller gave up (its signal aborted): not a failure of the service. */
export class CallerCancelledError extends Error {
  constructor(cause: unknown) {
    super('the caller cancelled the request', { cause });
    this.name = 'CallerCancelledError';
  }
}

export function createServicePolicy(
  entry: ServiceEntry,
  registry: ServiceRegistry,
  config: FailoverConfig,
  now: () => number,
): { policy: ServicePolicy; eject(): void; dispose(): void } {
  return new ServiceBreaker(entry, registry, config, now);
}

/**
 * A service's breaker and attempt timeouts. A class rather than closures: a registry holds one per
 * service, and methods on the prototype cost nothing per service.
 *
 * The cockatiel breaker is made on the service's first failure: until then a consecutive-failure
 * breaker is closed with a count of zero, which successes would only keep at zero, so calls need not
 * pass through it. A registry of thousands of services that never fail then holds no breaker at all
 * (cockatiel's costs a few kilobytes with its listeners).
 */
class ServiceBreaker implements ServicePolicy {
  private breaker: CircuitBreakerPolicy | undefined;
  private subscriptions: Array<{ dispose(): void }> | undefined;
  private isolation: { dispose(): void } | undefined;
  private isolationTimer: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;

  constructor(
    private readonly entry: ServiceEntry,
    private readonly registry: ServiceRegistry,
    private readonly config: FailoverConfig,
    private readonly now: () => number,
  ) {
    this.timeoutMs = entry.descriptor.timeoutMs ?? config.timeoutMs;
  }

  get policy(): ServicePolicy {
    return this;
  }

  async execute<T>(fn: (context: { signal: CallCancellation }) => Promise<T>, signal?: CancelSignal, attemptMs?: number): Promise<T> {
    // Not cockatiel's default parent signal (concurrent timeouts would pile listeners onto it):
    // ours, which the attempt knows never aborts and so does not listen to.
    const callerSignal = signal ?? NEVER_ABORTED;
    const breaker = this.breaker;
    // The caller's signal goes to the attempt, not through cockatiel (which takes only an
    // AbortSignal, and only passes it on): a caller that gave up while a half-open trial ran is
    // then refused by the attempt, as CallerCancelledError.
    if (breaker) return breaker.execute(() => this.attempt(fn, callerSignal, attemptMs));
    try {
      const value = await this.attempt(fn, callerSignal, attemptMs);
      // Made while this call ran (another one failed): a success resets its count, as it would
      // have had the call run through it. Not while open or half-open: this was no trial call.
      const madeMeanwhile = this.breaker as CircuitBreakerPolicy | undefined;
      if (madeMeanwhile && this.entry.breaker === 'closed') await madeMeanwhile.execute(async () => undefined).catch(() => undefined);
      return value;
    } catch (error) {
      // The first failure makes the breaker, which counts it exactly as if it had run the call.
      if (isServiceFailure(error)) await this.breakerNow().execute(() => Promise.reject(error)).catch(() => undefined);
      throw error;
    }
  }

  /** Eject now (a failure-rate outlier), for the same growing time an opened breaker would. */
  eject(): void {
    const entry = this.entry;
    if (this.isolation || entry.breaker === 'open') return;
    this.isolation = this.breakerNow().isolate();
    entry.breaker = 'open';
    entry.ejections++;
    entry.consecutiveEjections++;
    const duration = this.openTime(entry.consecutiveEjections);
    entry.breakerReopenAt = this.now() + duration;
    this.registry.markChanged(entry);
    this.isolationTimer = setTimeout(() => {
      this.isolation?.dispose();
      this.isolation = undefined;
      entry.breaker = 'closed';
      this.registry.markChanged(entry);
    }, duration);
    this.isolationTimer.unref();
  }

  dispose(): void {
    this.subscriptions?.forEach((s) => s.dispose());
    if (this.isolationTimer) clearTimeout(this.isolationTimer);
    this.isolation?.dispose();
  }

  /**
   * Timeout inside the breaker, so timeouts count as failures of this service; a caller's own
   * cancellation is re-thrown as CallerCancelledError first, which the breaker does not count.
   * An attempt never outlives the service's own timeout (attempt-timeout.ts).
   */
  private async attempt<T>(fn: (context: { signal: CallCancellation }) => Promise<T>, callerSignal: CancelSignal, attemptMs: number | undefined): Promise<T> {
    try {
      return await runWithTimeout(fn, callerSignal, Math.min(attemptMs ?? this.timeoutMs, this.timeoutMs));
    } catch (error) {
      if (callerSignal.aborted) throw new CallerCancelledError(error);
      throw error;
    }
  }

  /** Each ejection in a row doubles the open time (Envoy's base_ejection_time × ejections), capped. */
  private openTime(ejection: number): number {
    const { halfOpenAfterMs, maxHalfOpenAfterMs } = this.config.breaker;
    return Math.min(maxHalfOpenAfterMs, halfOpenAfterMs * 2 ** Math.max(0, ejection - 1));
  }

  private breakerNow(): CircuitBreakerPolicy {
    if (this.breaker) return this.breaker;
    const entry = this.entry;
    const growing = (ejection: number): IBackoff<unknown> => ({ duration: this.openTime(ejection), next: () => growing(ejection + 1) });
    const made = circuitBreaker(handleWhen(isServiceFailure), {
      halfOpenAfter: { next: () => growing(1) },
      breaker: new ConsecutiveBreaker(this.config.breaker.consecutiveFailures),
    });
    this.subscriptions = [
      made.onBreak(() => {
        entry.breaker = 'open';
        entry.ejections++;
        entry.consecutiveEjections++;
        entry.breakerReopenAt = this.now() + this.openTime(entry.consecutiveEjections);
        this.registry.markChanged(entry);
      }),
      made.onHalfOpen(() => {
        entry.breaker = 'half-open';
        this.registry.markChanged(entry);
      }),
      made.onReset(() => {
        entry.breaker = 'closed';
        entry.consecutiveEjections = 0;
        this.registry.markChanged(entry);
      }),
    ];
    return (this.breaker = made);
  }
}
