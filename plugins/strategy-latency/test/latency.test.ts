import { ServiceStats } from '@switchboard/core';
import type { Candidate } from '@switchboard/core';
import { FakeStats, makeCandidate, makeSelectContext, runStrategyConformance, seededRandom, sequenceRandom } from '@switchboard/testing';
import { describe, expect, it } from 'vitest';
import latencyPlugin, { LatencyStrategy, peakEwmaCost, UNMEASURED_BUSY_PENALTY } from '../src/index.js';

runStrategyConformance({ name: 'latency', create: () => new LatencyStrategy(), fair: true, plugin: latencyPlugin() });

/** Picks from both orders of a two-element list over many draws: the winner must not depend on the draw. */
function alwaysPicks(a: Candidate, b: Candidate): Set<string> {
  const strategy = new LatencyStrategy();
  const ctx = makeSelectContext({ random: seededRandom(21), now: 1_000 });
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    seen.add(strategy.select([a, b], ctx)!.name);
    seen.add(strategy.select([b, a], ctx)!.name);
  }
  return seen;
}

describe('peakEwmaCost', () => {
  it('is the EWMA times the queue the request would join', () => {
    expect(peakEwmaCost(new FakeStats({ ewmaMs: 20, inFlight: 0 }), 0)).toBe(20);
    expect(peakEwmaCost(new FakeStats({ ewmaMs: 20, inFlight: 3 }), 0)).toBe(80);
  });

  it('costs a never-measured service 0 while idle, and the penalty (plus its queue) once a probe is in flight', () => {
    expect(peakEwmaCost(new FakeStats({ ewmaMs: 0, inFlight: 0 }), 0)).toBe(0);
    expect(peakEwmaCost(new FakeStats({ ewmaMs: 0, inFlight: 2 }), 0)).toBe(UNMEASURED_BUSY_PENALTY + 2);
  });

  it('reads the EWMA at the time it is given', () => {
    const stats = new FakeStats();
    stats.ewmaLatencyMs = (now: number) => (now < 100 ? 50 : 5);
    expect(peakEwmaCost(stats, 0)).toBe(50);
    expect(peakEwmaCost(stats, 100)).toBe(5);
  });
});

describe('LatencyStrategy', () => {
  it('prefers the lower EWMA latency', () => {
    expect(alwaysPicks(makeCandidate('slow', { ewmaMs: 100 }), makeCandidate('fast', { ewmaMs: 10 }))).toEqual(new Set(['fast']));
  });

  it('penalises requests in flight: a fast but queued service loses to a slower idle one', () => {
    const queued = makeCandidate('queued', { ewmaMs: 10, inFlight: 20 }); // cost 210
    const idle = makeCandidate('idle', { ewmaMs: 50 }); // cost 50
    expect(alwaysPicks(queued, idle)).toEqual(new Set(['idle']));
    queued.stats.inFlight = 3; // cost 40
    expect(alwaysPicks(queued, idle)).toEqual(new Set(['queued']));
  });

  it('probes a never-measured idle service ahead of a fast measured one', () => {
    expect(alwaysPicks(makeCandidate('known', { ewmaMs: 1 }), makeCandidate('new'))).toEqual(new Set(['new']));
  });

  it('sends an unmeasured service only one probe at a time', () => {
    const probing = makeCandidate('new', { inFlight: 1 });
    const loaded = makeCandidate('known', { ewmaMs: 500, inFlight: 10 });
    expect(alwaysPicks(probing, loaded)).toEqual(new Set(['known']));
  });

  it('never sends a request to a clearly slow server among fast ones', () => {
    const strategy = new LatencyStrategy();
    const list = [20, 22, 2_000, 19, 21].map((ewmaMs, i) => makeCandidate(`svc-${i}`, { ewmaMs }));
    const ctx = makeSelectContext({ random: seededRandom(3), now: 1_000 });
    let slowPicks = 0;
    for (let i = 0; i < 2_000; i++) if (strategy.select(list, ctx)!.name === 'svc-2') slowPicks++;
    expect(slowPicks).toBe(0);
  });

  it("avoids a server as soon as it turns slow, with core's real peak-EWMA stats", () => {
    const steady = new ServiceStats();
    const turning = new ServiceStats();
    for (let t = 1; t <= 5; t++) {
      steady.observeLatency(30, t * 100);
      turning.observeLatency(10, t * 100);
    }
    const a = { ...makeCandidate('steady'), stats: steady };
    const b = { ...makeCandidate('turning'), stats: turning };
    const strategy = new LatencyStrategy();
    const pick = (now: number) => strategy.select([a, b], makeSelectContext({ random: sequenceRandom([0, 0]), now }))!.name;
    expect(pick(600)).toBe('turning');
    turning.observeLatency(900, 600); // one slow answer: the peak jumps at once
    expect(pick(600)).toBe('steady');
  });

  it('reads latency at the context time', () => {
    const stats = new FakeStats();
    stats.ewmaLatencyMs = (now: number) => (now < 100 ? 500 : 1);
    const recovering = { ...makeCandidate('recovering'), stats };
    const other = makeCandidate('other', { ewmaMs: 50 });
    const strategy = new LatencyStrategy();
    const pick = (now: number) => strategy.select([other, recovering], makeSelectContext({ random: sequenceRandom([0, 0]), now }))!.name;
    expect(pick(0)).toBe('other');
    expect(pick(100)).toBe('recovering');
  });

  it('on equal cost takes the candidate drawn first', () => {
    const strategy = new LatencyStrategy();
    const list = [makeCandidate('svc-0', { ewmaMs: 20 }), makeCandidate('svc-1', { ewmaMs: 20 }), makeCandidate('svc-2', { ewmaMs: 20 })];
    expect(strategy.select(list, makeSelectContext({ random: sequenceRandom([0.6, 0]) }))?.name).toBe('svc-1');
    expect(strategy.select(list, makeSelectContext({ random: sequenceRandom([0, 0.6]) }))?.name).toBe('svc-0');
  });

  it('draws two distinct candidates even when the random source repeats itself', () => {
    const list = [makeCandidate('svc-0', { ewmaMs: 90 }), makeCandidate('svc-1', { ewmaMs: 10 }), makeCandidate('svc-2', { ewmaMs: 90 })];
    expect(new LatencyStrategy().select(list, makeSelectContext({ random: sequenceRandom([0]) }))?.name).toBe('svc-1');
  });
});
