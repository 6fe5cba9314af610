import type { Candidate } from '@switchboard/core';
import { makeCandidate, makeCandidates, makeSelectContext, runStrategyConformance, seededRandom, sequenceRandom } from '@switchboard/testing';
import { describe, expect, it } from 'vitest';
import randomPlugin, { RandomStrategy } from '../src/index.js';

runStrategyConformance({ name: 'random', create: () => new RandomStrategy(), fair: true, plugin: randomPlugin() });

describe('RandomStrategy', () => {
  it('maps the draw onto the list: [0, 1/n) is the first, [(n-1)/n, 1) the last', () => {
    const strategy = new RandomStrategy();
    const list = makeCandidates(4);
    const names = [0, 0.24, 0.25, 0.5, 0.74, 0.75, 0.999].map(
      (draw) => strategy.select(list, makeSelectContext({ random: sequenceRandom([draw]) }))?.name,
    );
    expect(names).toEqual(['svc-0', 'svc-0', 'svc-1', 'svc-2', 'svc-2', 'svc-3', 'svc-3']);
  });

  it('spreads evenly over 3 candidates with a seeded PRNG (each within ±5% of a third of 30,000)', () => {
    const strategy = new RandomStrategy();
    const list = makeCandidates(3);
    const counts = new Map<Candidate, number>();
    const ctx = makeSelectContext({ random: seededRandom(99) });
    for (let i = 0; i < 30_000; i++) {
      const picked = strategy.select(list, ctx)!;
      counts.set(picked, (counts.get(picked) ?? 0) + 1);
    }
    for (const candidate of list) {
      expect(counts.get(candidate)).toBeGreaterThan(9_500);
      expect(counts.get(candidate)).toBeLessThan(10_500);
    }
  });

  it('ignores stats: a heavily loaded, slow candidate is as likely as an idle one', () => {
    const strategy = new RandomStrategy();
    const list = [makeCandidate('busy', { inFlight: 100, ewmaMs: 5_000 }), makeCandidate('idle')];
    expect(strategy.select(list, makeSelectContext({ random: sequenceRandom([0.1]) }))?.name).toBe('busy');
    expect(strategy.select(list, makeSelectContext({ random: sequenceRandom([0.9]) }))?.name).toBe('idle');
  });

  it('draws exactly once per pick, so a shared random source stays in step', () => {
    let draws = 0;
    const random = seededRandom(4);
    const ctx = makeSelectContext({ random: () => (draws++, random()) });
    const strategy = new RandomStrategy();
    for (let i = 0; i < 10; i++) strategy.select(makeCandidates(3), ctx);
    expect(draws).toBe(10);
  });
});
