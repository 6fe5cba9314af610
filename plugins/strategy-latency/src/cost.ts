// The expected cost of sending one more request to a service, as Finagle's and Linkerd's peak-EWMA
// balancers reckon it: its recent (peak-biased) latency times the queue it would join.
import type { ServiceStatsView } from '@switchboard/core';

/**
 * What an unmeasured service costs while a request to it is already in flight. Finagle uses the
 * same rule and a penalty of this size (Long.MaxValue >> 16): a new server gets one probe at a
 * time, never the whole burst that a cost of 0 would otherwise attract while the probe is slow.
 */
export const UNMEASURED_BUSY_PENALTY = 2 ** 47;

/**
 * `ewma × (inFlight + 1)`. A never-measured service (ewma 0) costs 0 while idle, so it wins the
 * next comparison and gets probed; once a probe is in flight it costs the penalty until it answers.
 */
export function peakEwmaCost(stats: ServiceStatsView, now: number): number {
  const ewma = stats.ewmaLatencyMs(now);
  const inFlight = stats.inFlight;
  if (ewma > 0) return ewma * (inFlight + 1);
  return inFlight === 0 ? 0 : UNMEASURED_BUSY_PENALTY + inFlight;
}
