// Least-loaded: Envoy's least-request balancer. Sample `choiceCount` distinct candidates at random
// and take the one with the fewest requests in flight ("power of two choices": nearly as good as a
// full scan, and it does not send a burst to one service that merely looked idle a moment ago).
import { SwitchboardError } from '@switchboard/core';
import type { Candidate, SelectContext, Strategy } from '@switchboard/core';

export interface LeastLoadedStrategyOptions {
  /** Candidates compared per pick; at least 2. When the list is no longer, every candidate is. Default 2. */
  choiceCount?: number;
}

/** An index in [0, n) from a draw in [0, 1); a draw outside that range (a faulty source) is clamped. */
function indexOf(draw: number, n: number): number {
  const i = Math.floor(draw * n);
  return i > 0 ? (i < n ? i : n - 1) : 0;
}

export class LeastLoadedStrategy implements Strategy {
  readonly name = 'least-loaded';
  readonly choiceCount: number;
  /**
   * Identity permutation used for sampling more than two without repeats (partial Fisher-Yates,
   * undone after each pick so it is the identity again). It grows only when a longer list than ever
   * before is seen, so steady-state picks allocate nothing.
   */
  private permutation = new Uint32Array(0);
  private readonly swaps: Uint32Array;

  constructor(options: LeastLoadedStrategyOptions = {}) {
    const choiceCount = options.choiceCount ?? 2;
    if (!Number.isInteger(choiceCount) || choiceCount < 2) {
      throw new SwitchboardError('CONFIG_INVALID', `choiceCount must be an integer of at least 2, got ${choiceCount}`, {
        plugin: 'strategy-least-loaded',
      });
    }
    this.choiceCount = choiceCount;
    this.swaps = new Uint32Array(choiceCount);
  }

  select(candidates: readonly Candidate[], context: SelectContext): Candidate | undefined {
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    if (this.choiceCount >= n) return scanAll(candidates, context);
    if (this.choiceCount === 2) return pickTwo(candidates, context);
    return this.pickMany(candidates, context);
  }

  private pickMany(candidates: readonly Candidate[], context: SelectContext): Candidate {
    const n = candidates.length;
    const k = this.choiceCount;
    if (this.permutation.length < n) {
      this.permutation = new Uint32Array(n);
      for (let i = 0; i < n; i++) this.permutation[i] = i;
    }
    const perm = this.permutation;
    const swaps = this.swaps;
    let best: Candidate | undefined;
    for (let t = 0; t < k; t++) {
      const r = t + indexOf(context.random(), n - t);
      swaps[t] = r;
      const chosen = perm[r]!;
      perm[r] = perm[t]!;
      perm[t] = chosen;
      const candidate = candidates[chosen]!;
      if (best === undefined || candidate.stats.inFlight < best.stats.inFlight) best = candidate;
    }
    for (let t = k - 1; t >= 0; t--) {
      const r = swaps[t]!;
      const value = perm[t]!;
      perm[t] = perm[r]!;
      perm[r] = value;
    }
    return best!;
  }
}

/** Two distinct candidates; on a tie the first drawn wins, so ties stay uniformly random. */
function pickTwo(candidates: readonly Candidate[], context: SelectContext): Candidate {
  const n = candidates.length;
  const i = indexOf(context.random(), n);
  let j = indexOf(context.random(), n - 1);
  if (j >= i) j++;
  const first = candidates[i]!;
  const second = candidates[j]!;
  return second.stats.inFlight < first.stats.inFlight ? second : first;
}

/** Every candidate, from a random start: the minimum wins and ties go to whichever comes first from there. */
function scanAll(candidates: readonly Candidate[], context: SelectContext): Candidate {
  const n = candidates.length;
  const start = indexOf(context.random(), n);
  let best = candidates[start]!;
  for (let step = 1; step < n; step++) {
    const index = start + step < n ? start + step : start + step - n;
    const candidate = candidates[index]!;
    if (candidate.stats.inFlight < best.stats.inFlight) best = candidate;
  }
  return best;
}
