import { SwitchboardError } from '@switchboard/core';
import type { Candidate } from '@switchboard/core';
import { makeCandidate, makeSelectContext, runStrategyConformance, seededRandom, sequenceRandom } from '@switchboard/testing';
import { describe, expect, it } from 'vitest';
import leastLoadedPlugin, { LeastLoadedStrategy, leastLoadedOptionsSchema } from '../src/index.js';

runStrategyConformance({ name: 'least-loaded', create: () => new LeastLoadedStrategy(), fair: true, plugin: leastLoadedPlugin() });
runStrategyConformance({ name: 'least-loaded (choiceCount 3)', create: () => new LeastLoadedStrategy({ choiceCount: 3 }), fair: true });
runStrategyConformance({ name: 'least-loaded (full scan)', create: () => new LeastLoadedStrategy({ choiceCount: 100 }), fair: true });

function withLoads(loads: readonly number[]): Candidate[] {
  return loads.map((inFlight, i) => makeCandidate(`svc-${i}`, { inFlight }));
}

describe('LeastLoadedStrategy', () => {
  it('of the two drawn, takes the one with fewer requests in flight', () => {
    const list = withLoads([4, 9, 1]);
    // Draws pick index 1 (load 9) first, then index 2 (load 1).
    const ctx = makeSelectContext({ random: sequenceRandom([0.5, 0.9]) });
    expect(new LeastLoadedStrategy().select(list, ctx)?.name).toBe('svc-2');
  });

  it('with two candidates, always picks the lower in-flight, in either order', () => {
    const strategy = new LeastLoadedStrategy();
    const ctx = makeSelectContext({ random: seededRandom(11) });
    const idle = makeCandidate('idle', { inFlight: 1 });
    const busy = makeCandidate('busy', { inFlight: 2 });
    for (let i = 0; i < 500; i++) {
      expect(strategy.select([idle, busy], ctx)).toBe(idle);
      expect(strategy.select([busy, idle], ctx)).toBe(idle);
    }
  });

  it('never picks the single most loaded candidate, and favours the least loaded', () => {
    const strategy = new LeastLoadedStrategy();
    const list = withLoads([3, 3, 9, 3, 0, 3, 3, 3, 3, 3]);
    const ctx = makeSelectContext({ random: seededRandom(5) });
    const counts = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) {
      const name = strategy.select(list, ctx)!.name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    expect(counts.get('svc-2')).toBeUndefined();
    // The idle one wins whenever it is drawn: 2/10 of picks with two choices, against 1/10 for a plain random pick.
    expect(counts.get('svc-4')!).toBeGreaterThan(2_000 * 0.15);
  });

  it('on a tie takes the candidate drawn first', () => {
    const strategy = new LeastLoadedStrategy();
    const list = withLoads([2, 2, 2]);
    expect(strategy.select(list, makeSelectContext({ random: sequenceRandom([0.6, 0]) }))?.name).toBe('svc-1');
    expect(strategy.select(list, makeSelectContext({ random: sequenceRandom([0, 0.6]) }))?.name).toBe('svc-0');
  });

  it('draws two distinct candidates even when the random source repeats itself', () => {
    const list = withLoads([5, 0, 5]);
    // Both draws are 0: a sampler with repeats would compare svc-0 with itself.
    const ctx = makeSelectContext({ random: sequenceRandom([0]) });
    expect(new LeastLoadedStrategy().select(list, ctx)?.name).toBe('svc-1');
  });

  it('with choiceCount >= the list length, scans them all for the minimum', () => {
    const strategy = new LeastLoadedStrategy({ choiceCount: 5 });
    const list = withLoads([3, 2, 0, 4, 1]);
    const ctx = makeSelectContext({ random: seededRandom(8) });
    for (let i = 0; i < 50; i++) expect(strategy.select(list, ctx)?.name).toBe('svc-2');
  });

  it('with a larger choiceCount samples that many distinct candidates, pick after pick', () => {
    const strategy = new LeastLoadedStrategy({ choiceCount: 3 });
    const list = withLoads([5, 5, 1, 0, 5, 5]);
    // All draws 0: a distinct sampler sees svc-0, svc-1 and svc-2, so svc-2 (load 1) wins every time;
    // that it keeps winning shows the scratch permutation is restored after each pick.
    const ctx = makeSelectContext({ random: sequenceRandom([0]) });
    for (let i = 0; i < 5; i++) expect(strategy.select(list, ctx)?.name).toBe('svc-2');
  });

  it('rejects a choiceCount below 2 or not an integer', () => {
    expect(() => new LeastLoadedStrategy({ choiceCount: 1 })).toThrow(SwitchboardError);
    expect(() => new LeastLoadedStrategy({ choiceCount: 2.5 })).toThrow(/choiceCount/);
    expect(leastLoadedOptionsSchema.safeParse({ choiceCount: 1 }).success).toBe(false);
    expect(leastLoadedOptionsSchema.safeParse({ choiseCount: 3 }).success).toBe(false);
    expect(leastLoadedOptionsSchema.parse({})).toEqual({ choiceCount: 2 });
  });
});
