// A cockatiel circuit breaker and timeout per service. An open breaker takes the service out of
// the candidate lists until its half-open time, so requests skip it without waiting.
import { ConsecutiveBreaker, TimeoutStrategy, circuitBreaker, handleWhen, timeout, type IBackoff, type TimeoutPolicy } from 'cockatiel';
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
  const breaker = circuitBreaker(handleWhen(isServiceFailure), {
    halfOpenAfter: { next: () => growing(1) },
    breaker: new ConsecutiveBreaker(config.breaker.consecutiveFailures),
  });
  const subscriptions = [
    breaker.onBreak(() => {
      entry.breaker = 'open';
      entry.ejections++;
      entry.consecutiveEjections++;
      entry.breakerReopenAt = now() + openTime(entry.consecutiveEjections);
      registry.markChanged(entry);
    }),
    breaker.onHalfOpen(() => {
      entry.breaker = 'half-open';
      registry.markChanged(entry);
    }),
    breaker.onReset(() => {
      entry.breaker = 'closed';
      entry.consecutiveEjections = 0;
      registry.markChanged(entry);
    }),
  ];
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
  const policy: ServicePolicy = {
    execute: (fn, signal, attemptMs) =>
      breaker.execute(async ({ signal: callerSignal }) => {
        try {
          return await timeoutFor(attemptMs ?? timeoutMs).execute(fn, callerSignal);
        } catch (error) {
          if (callerSignal.aborted) throw new CallerCancelledError(error);
          throw error;
        }
      }, signal),
  };
  let isolation: { dispose(): void } | undefined;
  let isolationTimer: NodeJS.Timeout | undefined;
  /** Eject now (a failure-rate outlier), for the same growing time an opened breaker would. */
  const eject = (): void => {
    if (isolation || entry.breaker === 'open') return;
    isolation = breaker.isolate();
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
