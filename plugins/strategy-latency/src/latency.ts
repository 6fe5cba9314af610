// Latency ("performance" routing): route to the service with the lowest expected latency, by
// comparing the peak-EWMA cost of two randomly drawn candidates (power of two choices). Comparing
// two rather than scanning all keeps every router from herding onto the one that looks fastest.
import type { Candidate, SelectContext, Strategy } from '@switchboard/core';
import { peakEwmaCost } from './cost.js';

/** An index in [0, n) from a draw in [0, 1); a draw outside that range (a faulty source) is clamped. */
function indexOf(draw: number, n: number): number {
  const i = Math.floor(draw * n);
  return i > 0 ? (i < n ? i : n - 1) : 0;
}

export class LatencyStrategy implements Strategy {
  readonly name = 'latency';

  select(candidates: readonly Candidate[], context: SelectContext): Candidate | undefined {
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    // Two distinct candidates; with two in the list this compares both, in random order, so a
    // tie (say, two unmeasured idle servers) does not always favour the first.
    const i = indexOf(context.random(), n);
    let j = indexOf(context.random(), n - 1);
    if (j >= i) j++;
    const first = candidates[i]!;
    const second = candidates[j]!;
    const now = context.now();
    // Strictly lower wins, so on a tie the first drawn keeps it.
    return peakEwmaCost(second.stats, now) < peakEwmaCost(first.stats, now) ? second : first;
  }
}
