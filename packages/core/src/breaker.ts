// A cockatiel circuit breaker and timeout per service. An open breaker takes the service out of
// the candidate lists until its half-open time, so requests skip it without waiting.
import { ConsecutiveBreaker, TimeoutStrategy, circuitBreaker, handleWhen, timeout, wrap, type IPolicy, type IDefaultPolicyContext } from 'cockatiel';
import type { FailoverConfig } from './config/schema.js';
import { isServiceFailure } from './failure.js';
import type { ServiceEntry, ServiceRegistry } from './registry.js';

export type ServicePolicy = IPolicy<IDefaultPolicyContext>;

export function createServicePolicy(
  entry: ServiceEntry,
  registry: ServiceRegistry,
  config: FailoverConfig,
  now: () => number,
): { policy: ServicePolicy; dispose(): void } {
  const timeoutMs = entry.descriptor.timeoutMs ?? config.timeoutMs;
  const breaker = circuitBreaker(handleWhen(isServiceFailure), {
    halfOpenAfter: config.breaker.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(config.breaker.consecutiveFailures),
  });
  const subscriptions = [
    breaker.onBreak(() => {
      entry.breaker = 'open';
      entry.breakerReopenAt = now() + config.breaker.halfOpenAfterMs;
      registry.markChanged(entry);
    }),
    breaker.onHalfOpen(() => {
      entry.breaker = 'half-open';
      registry.markChanged(entry);
    }),
    breaker.onReset(() => {
      entry.breaker = 'closed';
      registry.markChanged(entry);
    }),
  ];
  // Timeout inside the breaker, so timeouts count as failures of this service.
  const policy = wrap(breaker, timeout(timeoutMs, TimeoutStrategy.Aggressive));
  return { policy, dispose: () => subscriptions.forEach((s) => s.dispose()) };
}
