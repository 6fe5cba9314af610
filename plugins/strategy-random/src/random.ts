// Random: every candidate equally likely, whatever its stats. Stateless, so it needs no
// coordination between routers and spreads evenly over many requests.
import type { Candidate, SelectContext, Strategy } from '@switchboard/core';

export class RandomStrategy implements Strategy {
  readonly name = 'random';

  select(candidates: readonly Candidate[], context: SelectContext): Candidate | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const i = Math.floor(context.random() * n);
    // Clamp so a draw outside [0, 1) from a faulty source still yields a member.
    return candidates[i > 0 ? (i < n ? i : n - 1) : 0];
  }
}
