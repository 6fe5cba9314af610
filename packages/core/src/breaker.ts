// A cockatiel circuit breaker and timeout per service. An open breaker takes the service out of
// the candidate lists until its half-open time, so requests skip it without waiting.
import { ConsecutiveBreaker, TimeoutStrategy, circuitBreaker, handleWhen, timeout, type CircuitBreakerPolicy, type IBackoff, type TimeoutPolicy } from 'cockatiel';
import type { FailoverConfig } from './config/schema.js';
import { isServiceFailure } from './failure.js';
import type { ServiceEntry, ServiceRegistry } from './registry.js';

export interface ServicePolicy {
  /** Run one attempt through the breaker, cut after `timeoutMs` (default: the service's timeout). */
  execute<T>(fn: (context: { signal: AbortSignal }) => Promise<T>, signal?: AbortSignal, timeoutMs?: number): Promise<T>;
}

/** Attempt timeouts are rounded up to quarter powers of two (≤ 19% more), so a service holds a handful of policies. */
function stepUp(ms: number): number {
  return Math.ceil(2 ** (Math.ceil(Math.log2(Math.max(1, ms)) * 4) / 4));
}

/** The signal of a call that has none: never aborts. */
const NEVER_ABORTED = new AbortController().signal;

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
  const timeoutMs = entry.descriptor.timeoutMs ?? config.timeoutMs;
  const { halfOpenAfterMs, maxHalfOpenAfterMs } = config.breaker;
  // Each ejection in a row doubles the open time (Envoy's base_ejection_time × ejections), capped.
  const openTime = (ejection: number): number => Math.min(maxHalfOpenAfterMs, halfOpenAfterMs * 2 ** Math.max(0, ejection - 1));
  const growing = (ejection: number): IBackoff<unknown> => ({ duration: openTime(ejection), next: () => growing(ejection + 1) });
  // Made on the service's first failure: until then a consecutive-failure breaker is closed with a
  // count of zero, which successes would only keep at zero, so calls need not pass through it. A
  // registry of thousands of services that never fail then holds no breaker at all (cockatiel's is
  // a few kilobytes with its listeners).
  let breaker: CircuitBreakerPolicy | undefined;
  let subscriptions: Array<{ dispose(): void }> = [];
  // Read through a function: TypeScript would keep `breaker` narrowed across an await.
  const current = (): CircuitBreakerPolicy | undefined => breaker;
  const breakerNow = (): CircuitBreakerPolicy => {
    if (breaker) return breaker;
    const made = circuitBreaker(handleWhen(isServiceFailure), {
      halfOpenAfter: { next: () => growing(1) },
      breaker: new ConsecutiveBreaker(config.breaker.consecutiveFailures),
    });
    subscriptions = [
      made.onBreak(() => {
        entry.breaker = 'open';
        entry.ejections++;
        entry.consecutiveEjections++;
        entry.breakerReopenAt = now() + openTime(entry.consecutiveEjections);
        registry.markChanged(entry);
      }),
      made.onHalfOpen(() => {
        entry.breaker = 'half-open';
        registry.markChanged(entry);
      }),
      made.onReset(() => {
        entry.breaker = 'closed';
        entry.consecutiveEjections = 0;
        registry.markChanged(entry);
      }),
    ];
    return (breaker = made);
  };
  // Timeout inside the breaker, so timeouts count as failures of this service; a caller's own
  // cancellation is re-thrown as CallerCancelledError first, which the breaker does not count.
  // abortOnReturn off: cockatiel otherwise aborts the signal after every call, even a successful
  // one, and the SDK answers an abort by sending notifications/cancelled upstream, so each call
  // cost a second message to the upstream (a second POST over HTTP) for a request already done.
  const timeouts = new Map<number, TimeoutPolicy>();
  const timeoutFor = (ms: number): TimeoutPolicy => {
    const key = ms >= timeoutMs ? timeoutMs : Math.min(timeoutMs, stepUp(ms));
    let policy = timeouts.get(key);
    if (!policy) timeouts.set(key, (policy = timeout(key, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false })));
    return policy;
  };
  const attempt = async <T>(fn: (context: { signal: AbortSignal }) => Promise<T>, callerSignal: AbortSignal, attemptMs: number | undefined): Promise<T> => {
    try {
      return await timeoutFor(attemptMs ?? timeoutMs).execute(fn, callerSignal);
    } catch (error) {
      if (callerSignal.aborted) throw new CallerCancelledError(error);
      throw error;
    }
  };
  const policy: ServicePolicy = {
    execute: async (fn, signal, attemptMs) => {
      if (breaker) return breaker.execute(({ signal: callerSignal }) => attempt(fn, callerSignal, attemptMs), signal);
      try {
        const value = await attempt(fn, signal ?? NEVER_ABORTED, attemptMs);
        // Made while this call ran (another one failed): a success resets its count, as it would
        // have had the call run through it. Not while open or half-open: this was no trial call.
        const madeMeanwhile = current();
        if (madeMeanwhile && entry.breaker === 'closed') await madeMeanwhile.execute(async () => undefined).catch(() => undefined);
        return value;
      } catch (error) {
        // The first failure makes the breaker, which counts it exactly as if it had run the call.
        if (isServiceFailure(error)) await breakerNow().execute(() => Promise.reject(error)).catch(() => undefined);
        throw error;
      }
    },
  };
  let isolation: { dispose(): void } | undefined;
  let isolationTimer: NodeJS.Timeout | undefined;
  /** Eject now (a failure-rate outlier), for the same growing time an opened breaker would. */
  const eject = (): void => {
    if (isolation || entry.breaker === 'open') return;
    isolation = breakerNow().isolate();
    entry.breaker = 'open';
    entry.ejections++;
    entry.consecutiveEjections++;
    const duration = openTime(entry.consecutiveEjections);
    entry.breakerReopenAt = now() + duration;
    registry.markChanged(entry);
    isolationTimer = setTimeout(() => {
      isolation?.dispose();
      isolation = undefined;
      entry.breaker = 'closed';
      registry.markChanged(entry);
    }, duration);
    isolationTimer.unref();
  };
  return {
    policy,
    eject,
    dispose: () => {
      subscriptions.forEach((s) => s.dispose());
      if (isolationTimer) clearTimeout(isolationTimer);
      isolation?.dispose();
    },
  };
}
