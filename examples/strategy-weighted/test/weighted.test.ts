import { makeCandidate, makeSelectContext, runStrategyConformance } from '@switchboard/testing';
import type { Candidate, Strategy } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import weightedStrategyPlugin, { WeightedStrategy, weightedOptionsSchema, weightOf } from '../src/index.js';

runStrategyConformance({ name: 'weighted', create: () => new WeightedStrategy(), fair: true, plugin: weightedStrategyPlugin() });
runStrategyConformance({ name: 'weighted (metadataKey)', create: () => new WeightedStrategy({ metadataKey: 'share' }), fair: true });

function tally(strategy: Strategy, list: readonly Candidate[], picks: number): Record<string, number> {
  const ctx = makeSelectContext();
  const counts: Record<string, number> = {};
  for (let i = 0; i < picks; i++) {
    const name = strategy.select(list, ctx)!.name;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

describe('WeightedStrategy', () => {
  it('splits picks exactly in proportion to the entries’ weights over whole cycles', () => {
    const list = [makeCandidate('a', { weight: 5 }), makeCandidate('b', { weight: 3 }), makeCandidate('c', { weight: 2 })];
    expect(tally(new WeightedStrategy(), list, 1_000)).toEqual({ a: 500, b: 300, c: 200 });
  });

  it('interleaves rather than bursting: 3:1 gives a a b a', () => {
    const strategy = new WeightedStrategy();
    const list = [makeCandidate('a', { weight: 3 }), makeCandidate('b', { weight: 1 })];
    const ctx = makeSelectContext();
    const names = Array.from({ length: 8 }, () => strategy.select(list, ctx)!.name);
    expect(names).toEqual(['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a']);
  });

  it('reads weights from metadata when metadataKey is set, numbers or numeric strings, falling back to the entry weight', () => {
    const list = [
      makeCandidate('num', { weight: 9, metadata: { share: 2 } }),
      makeCandidate('str', { metadata: { share: '1' } }),
      makeCandidate('none', { weight: 1 }),
    ];
    expect(tally(new WeightedStrategy({ metadataKey: 'share' }), list, 400)).toEqual({ num: 200, str: 100, none: 100 });
  });

  it('excludes zero, negative, NaN, infinite and non-numeric weights while any usable weight remains', () => {
    const bad = [0, -2, Number.NaN, Number.POSITIVE_INFINITY, 'lots', true].map((share, i) => makeCandidate(`bad-${i}`, { metadata: { share } }));
    const list = [...bad.slice(0, 3), makeCandidate('good', { metadata: { share: 1 } }), ...bad.slice(3)];
    expect(tally(new WeightedStrategy({ metadataKey: 'share' }), list, 50)).toEqual({ good: 50 });
  });

  it('shares equally when every weight is excluded, rather than returning nothing', () => {
    const list = [0, -1, Number.NaN].map((share, i) => makeCandidate(`svc-${i}`, { metadata: { share } }));
    expect(tally(new WeightedStrategy({ metadataKey: 'share' }), list, 30)).toEqual({ 'svc-0': 10, 'svc-1': 10, 'svc-2': 10 });
  });

  it('gives a new service its share at once and lets a removed one go', () => {
    const strategy = new WeightedStrategy();
    const a = makeCandidate('a', { weight: 2 });
    const b = makeCandidate('b', { weight: 2 });
    tally(strategy, [a], 7);
    expect(tally(strategy, [a, b], 40)).toEqual({ a: 20, b: 20 });
  });

  it('weightOf treats a missing metadata key as the entry weight and a present non-number as excluded', () => {
    expect(weightOf(makeCandidate('x', { weight: 4 }).descriptor, 'share')).toBe(4);
    expect(weightOf(makeCandidate('x', { metadata: { share: null } }).descriptor, 'share')).toBe(1);
    expect(weightOf(makeCandidate('x', { metadata: { share: {} } }).descriptor, 'share')).toBeNaN();
  });

  it('options: metadataKey is optional, non-empty, and nothing else is accepted', () => {
    expect(weightedOptionsSchema.parse({})).toEqual({});
    expect(weightedOptionsSchema.safeParse({ metadataKey: '' }).success).toBe(false);
    expect(weightedOptionsSchema.safeParse({ metdataKey: 'share' }).success).toBe(false);
  });
});
