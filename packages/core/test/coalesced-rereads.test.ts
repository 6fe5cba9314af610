// Re-reads of changed lists: one at a time, announcements during a read folded into one more read.
import { describe, expect, it } from 'vitest';
import { coalescedRereads } from '../src/coalesced-rereads.js';
import type { CatalogList } from '../src/upstream-catalog.js';

describe('coalescedRereads', () => {
  it('reads once, then once more with every list announced during that read', async () => {
    const reads: CatalogList[][] = [];
    const gates: (() => void)[] = [];
    const announce = coalescedRereads(
      (lists) => {
        reads.push([...lists]);
        return new Promise<void>((resolve) => gates.push(resolve));
      },
      () => undefined,
    );
    announce(['tools']);
    for (let i = 0; i < 1000; i++) announce(['tools']);
    announce(['prompts']);
    expect(reads).toEqual([['tools']]);
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
    expect(reads).toEqual([['tools'], ['tools', 'prompts']]);
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
    expect(reads).toHaveLength(2);
    announce(['resources']); // after the burst: read at once
    expect(reads.at(-1)).toEqual(['resources']);
  });

  it('reports a failed read and goes on with the next', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const announce = coalescedRereads(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('upstream gone');
      },
      (lists, error) => errors.push([lists, (error as Error).message]),
    );
    announce(['tools']);
    announce(['tools']);
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual([[['tools'], 'upstream gone']]);
    expect(calls).toBe(2);
  });
});
