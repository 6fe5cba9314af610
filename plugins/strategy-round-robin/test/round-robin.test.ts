import { makeCandidate, makeCandidates, makeSelectContext, runStrategyConformance } from '@switchboard/testing';
import type { Candidate, SelectContext, Strategy } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import roundRobinPlugin, { RoundRobinStrategy } from '../src/index.js';

runStrategyConformance({ name: 'round-robin', create: () => new RoundRobinStrategy(), fair: true, plugin: roundRobinPlugin() });

function picks(strategy: Strategy, list: readonly Candidate[], count: number, ctx: SelectContext = makeSelectContext()): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(strategy.select(list, ctx)!.name);
  return names;
}

function tally(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

describe('RoundRobinStrategy', () => {
  it('rotates in list order, starting with the first', () => {
    const list = makeCandidates(3);
    expect(picks(new RoundRobinStrategy(), list, 7)).toEqual(['svc-0', 'svc-1', 'svc-2', 'svc-0', 'svc-1', 'svc-2', 'svc-0']);
  });

  it('stays fair when the list shrinks mid-rotation', () => {
    const strategy = new RoundRobinStrategy();
    const five = makeCandidates(5);
    picks(strategy, five, 4); // the cursor now points past the end of a 3-element list
    expect(tally(picks(strategy, five.slice(0, 3), 30))).toEqual({ 'svc-0': 10, 'svc-1': 10, 'svc-2': 10 });
  });

  it('gives a newly added service its share at once when the list grows', () => {
    const strategy = new RoundRobinStrategy();
    const list = makeCandidates(2);
    picks(strategy, list, 3);
    const grown = [...list, makeCandidate('new-1'), makeCandidate('new-2')];
    const after = picks(strategy, grown, 40);
    expect(tally(after)).toEqual({ 'svc-0': 10, 'svc-1': 10, 'new-1': 10, 'new-2': 10 });
    expect(after.slice(0, 4)).toContain('new-1');
  });

  it('ignores load and latency: a busy or slow candidate still gets its turn (stats never break the tie)', () => {
    const list = [makeCandidate('busy', { inFlight: 50, ewmaMs: 900 }), makeCandidate('idle')];
    expect(picks(new RoundRobinStrategy(), list, 4)).toEqual(['busy', 'idle', 'busy', 'idle']);
  });

  it('keeps each tool fair when requests for two tools interleave', () => {
    const strategy = new RoundRobinStrategy();
    const forA = makeCandidates(2);
    const forB = [makeCandidate('b-0'), makeCandidate('b-1')];
    const ctxA = makeSelectContext({ toolName: 'a' });
    const ctxB = makeSelectContext({ toolName: 'b' });
    const seenA: string[] = [];
    const seenB: string[] = [];
    for (let i = 0; i < 10; i++) {
      seenA.push(strategy.select(forA, ctxA)!.name);
      seenB.push(strategy.select(forB, ctxB)!.name);
    }
    expect(tally(seenA)).toEqual({ 'svc-0': 5, 'svc-1': 5 });
    expect(tally(seenB)).toEqual({ 'b-0': 5, 'b-1': 5 });
  });

  it('starts a new tool at a different member than the previous new tool', () => {
    const strategy = new RoundRobinStrategy();
    const list = makeCandidates(3);
    const first = strategy.select(list, makeSelectContext({ toolName: 'one' }));
    const second = strategy.select(list, makeSelectContext({ toolName: 'two' }));
    expect(first).not.toBe(second);
  });

  it('falls back to the request type when there is no tool name', () => {
    const strategy = new RoundRobinStrategy();
    const list = makeCandidates(2);
    const read = makeSelectContext({ requestType: 'resources/read' });
    const prompt = makeSelectContext({ requestType: 'prompts/get' });
    expect([strategy.select(list, read)!.name, strategy.select(list, prompt)!.name, strategy.select(list, read)!.name]).toEqual([
      'svc-0',
      'svc-1',
      'svc-1',
    ]);
  });
});
