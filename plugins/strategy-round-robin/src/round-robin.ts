// Round robin: each request goes to the next candidate in turn. Stats are ignored on purpose; use
// least-loaded or latency to react to load.
import type { Candidate, SelectContext, Strategy } from '@switchboard/core';

/**
 * Streams are capped so a flood of distinct tool names cannot grow memory without bound; clearing
 * only restarts rotation, it never breaks it.
 */
const MAX_STREAMS = 4_096;

export class RoundRobinStrategy implements Strategy {
  readonly name = 'round-robin';
  /**
   * One cursor per request stream (tool name, else request type). The router hands each tool its own
   * candidate list, and a single counter shared by interleaved lists is unfair: two tools
   * alternating over two-element lists would each see only every other counter value and so always
   * get the same member.
   */
  private readonly cursors = new Map<string, number>();
  /** Where a new stream starts, so the first call of every tool does not land on the same service. */
  private nextStart = 0;

  select(candidates: readonly Candidate[], context: SelectContext): Candidate | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const key = context.toolName ?? context.requestType ?? '';
    let cursor = this.cursors.get(key);
    if (cursor === undefined) {
      if (this.cursors.size >= MAX_STREAMS) this.cursors.clear();
      cursor = this.nextStart++;
    }
    // Reduce lazily: the list may have shrunk since the last call. Consecutive cursors cover every
    // residue, so after any change in size each member again gets one turn per n calls.
    const index = cursor < n ? cursor : cursor % n;
    this.cursors.set(key, index + 1);
    return candidates[index];
  }
}
