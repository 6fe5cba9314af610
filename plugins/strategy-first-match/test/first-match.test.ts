import { makeCandidate, makeCandidates, makeSelectContext, runStrategyConformance, seededRandom } from '@switchboard/testing';
import { describe, expect, it } from 'vitest';
import firstMatchPlugin, { FirstMatchStrategy } from '../src/index.js';

// Not fair by design: it sends everything to the preferred service.
runStrategyConformance({ name: 'first-match', create: () => new FirstMatchStrategy(), plugin: firstMatchPlugin() });

describe('FirstMatchStrategy', () => {
  it('returns the first candidate on every call', () => {
    const strategy = new FirstMatchStrategy();
    const list = makeCandidates(4);
    const ctx = makeSelectContext({ random: seededRandom(6) });
    for (let i = 0; i < 20; i++) expect(strategy.select(list, ctx)).toBe(list[0]);
  });

  it('respects the order it is given: reordering the list changes the pick', () => {
    const strategy = new FirstMatchStrategy();
    const [a, b, c] = makeCandidates(3);
    expect(strategy.select([b!, a!, c!], makeSelectContext())).toBe(b);
    expect(strategy.select([c!, b!, a!], makeSelectContext())).toBe(c);
  });

  it('follows the list, not the descriptor priority: ordering is the router’s job', () => {
    const strategy = new FirstMatchStrategy();
    const low = makeCandidate('preferred', { priority: 0 });
    const high = makeCandidate('backup', { priority: 10 });
    expect(strategy.select([high, low], makeSelectContext())).toBe(high);
  });

  it('ignores load and latency, and on equal priority keeps list (discovery) order', () => {
    const strategy = new FirstMatchStrategy();
    const first = makeCandidate('first', { inFlight: 40, ewmaMs: 3_000, successRate: 0.2 });
    const second = makeCandidate('second');
    expect(strategy.select([first, second], makeSelectContext())).toBe(first);
  });
});
