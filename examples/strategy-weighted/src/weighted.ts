// Smooth weighted round-robin, as nginx balances upstreams: each pick, every candidate's credit grows
// by its weight, the richest is chosen and pays back the total. Weights 3:1 give a a b a, exact
// over every cycle and interleaved rather than in bursts, with no randomness to tune or seed.
import type { Candidate, SelectContext, ServiceDescriptor, Strategy } from '@switchboard/core';
import { weightOf } from './weight.js';

export interface WeightedStrategyOptions {
  /** Read weights from this metadata field instead of the server entry's `weight`. */
  metadataKey?: string;
}

/** One per service: a mutable box, so a pick updates it without allocating. */
interface Credit {
  current: number;
}

export class WeightedStrategy implements Strategy {
  readonly name = 'weighted';
  private readonly metadataKey: string | undefined;
  /**
   * Keyed by descriptor: a service's credit lives as long as its descriptor, and an updated
   * descriptor (new weight, new url) starts afresh. A WeakMap lets removed services go.
   */
  private readonly credits = new WeakMap<ServiceDescriptor, Credit>();

  constructor(options: WeightedStrategyOptions = {}) {
    this.metadataKey = options.metadataKey;
  }

  select(candidates: readonly Candidate[], _context: SelectContext): Candidate | undefined {
    if (candidates.length <= 1) return candidates[0];
    // Excluded (zero, negative, NaN) weights count only when every candidate is excluded: then they
    // all share equally rather than the request failing for want of a weight.
    let anyUsable = false;
    for (const c of candidates) {
      if (!Number.isNaN(weightOf(c.descriptor, this.metadataKey))) {
        anyUsable = true;
        break;
      }
    }
    let total = 0;
    let best: Candidate | undefined;
    let bestCredit: Credit | undefined;
    for (const c of candidates) {
      let weight = weightOf(c.descriptor, this.metadataKey);
      if (!anyUsable) weight = 1;
      else if (Number.isNaN(weight)) continue;
      const credit = this.creditOf(c.descriptor);
      credit.current += weight;
      total += weight;
      // Strictly greater: on a tie the earlier candidate (the router's priority order) wins.
      if (!bestCredit || credit.current > bestCredit.current) {
        best = c;
        bestCredit = credit;
      }
    }
    if (bestCredit) bestCredit.current -= total;
    return best;
  }

  /** The only allocation: once per service the first time it is seen. */
  private creditOf(descriptor: ServiceDescriptor): Credit {
    let credit = this.credits.get(descriptor);
    if (!credit) {
      credit = { current: 0 };
      this.credits.set(descriptor, credit);
    }
    return credit;
  }
}
