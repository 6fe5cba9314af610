// First match (the pattern's `capability_match`): the first candidate. The router already filtered
// the list to healthy services with the needed capabilities and sorted it by priority, so the first
// is the preferred one; the others serve only as failover targets.
import type { Candidate, SelectContext, Strategy } from '@switchboard/core';

export class FirstMatchStrategy implements Strategy {
  readonly name = 'first-match';

  select(candidates: readonly Candidate[], _context: SelectContext): Candidate | undefined {
    return candidates[0];
  }
}
