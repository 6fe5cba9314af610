// Test doubles for routing strategies: candidates whose descriptor is real (built by core's own
// schema) and whose stats a test sets by hand, plus deterministic randomness and time so every
// choice a strategy makes can be reproduced.
import { serverEntrySchema, toDescriptor } from '@switchboard/core';
import type { Candidate, SelectContext, ServerEntryInput, ServiceStatsView } from '@switchboard/core';

export interface FakeStatsInit {
  inFlight?: number;
  total?: number;
  successes?: number;
  failures?: number;
  /** Default: successes / total, or 1 before any call (as core's ServiceStats reports it). */
  successRate?: number;
  averageLatencyMs?: number;
  /** What ewmaLatencyMs(now) returns; 0 means never measured. */
  ewmaMs?: number;
}

/**
 * A ServiceStatsView with every number directly settable. The EWMA does not decay with time, so a
 * test states exactly the latency a strategy sees; use core's ServiceStats to test decay itself.
 */
export class FakeStats implements ServiceStatsView {
  inFlight: number;
  total: number;
  successes: number;
  failures: number;
  successRate: number;
  averageLatencyMs: number;
  ewmaMs: number;

  constructor(init: FakeStatsInit = {}) {
    this.inFlight = init.inFlight ?? 0;
    this.total = init.total ?? 0;
    this.successes = init.successes ?? 0;
    this.failures = init.failures ?? 0;
    this.successRate = init.successRate ?? (this.total === 0 ? 1 : this.successes / this.total);
    this.averageLatencyMs = init.averageLatencyMs ?? 0;
    this.ewmaMs = init.ewmaMs ?? 0;
  }

  ewmaLatencyMs(_now: number): number {
    return this.ewmaMs;
  }
}

export interface CandidateOptions extends FakeStatsInit {
  priority?: number;
  weight?: number;
  capabilities?: string[];
  metadata?: Record<string, unknown>;
  /** The discoverer instance id recorded on the descriptor. Default `test#0`. */
  source?: string;
  /** Any other server-entry fields; validated by core's serverEntrySchema like real config. */
  entry?: Partial<ServerEntryInput>;
}

/** A Candidate whose stats the test can change between calls. */
export interface TestCandidate extends Candidate {
  readonly stats: FakeStats;
}

/** Port 1 is never listened on: a strategy test must not connect anywhere, and this makes sure. */
const UNREACHABLE_URL = 'http://127.0.0.1:1/mcp';

export function makeCandidate(name: string, options: CandidateOptions = {}): TestCandidate {
  const { priority, weight, capabilities, metadata, source, entry, ...stats } = options;
  const parsed = serverEntrySchema.parse({
    url: UNREACHABLE_URL,
    ...entry,
    name,
    ...(priority === undefined ? {} : { priority }),
    ...(weight === undefined ? {} : { weight }),
    ...(capabilities === undefined ? {} : { capabilities }),
    ...(metadata === undefined ? {} : { metadata }),
  });
  return { name, descriptor: toDescriptor(parsed, source ?? 'test#0'), stats: new FakeStats(stats) };
}

/** `count` candidates named `svc-0`, `svc-1`, … with the same starting stats. */
export function makeCandidates(count: number, options: CandidateOptions = {}): TestCandidate[] {
  return Array.from({ length: count }, (_, i) => makeCandidate(`svc-${i}`, options));
}

export type RandomSource = () => number;

/** Returns `values` in order, then starts over. Each must lie in [0, 1), as SelectContext.random promises. */
export function sequenceRandom(values: readonly number[]): RandomSource {
  if (values.length === 0) throw new RangeError('sequenceRandom needs at least one value');
  for (const v of values) {
    if (!(v >= 0 && v < 1)) throw new RangeError(`sequenceRandom values must lie in [0, 1), got ${v}`);
  }
  let next = 0;
  return () => {
    const value = values[next]!;
    next = (next + 1) % values.length;
    return value;
  };
}

/** mulberry32: a tiny, fast PRNG whose statistical quality is ample for load-balancing tests. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface SelectContextOptions {
  /** Default: seededRandom(1), so a test that does not care is still reproducible. */
  random?: RandomSource;
  /** A fixed time or a clock. Default: always 0. */
  now?: number | (() => number);
  toolName?: string;
  requestType?: string;
}

export function makeSelectContext(options: SelectContextOptions = {}): SelectContext {
  const random = options.random ?? seededRandom(1);
  const { now } = options;
  const clock = typeof now === 'function' ? now : () => now ?? 0;
  return {
    ...(options.toolName === undefined ? {} : { toolName: options.toolName }),
    ...(options.requestType === undefined ? {} : { requestType: options.requestType }),
    random,
    now: clock,
  };
}
