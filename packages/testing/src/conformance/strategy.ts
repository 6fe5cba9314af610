// The behaviour every Strategy must show, as vitest blocks a strategy's own test file registers in
// one call. First-party strategies use it and so can a third party's.
import { PluginCatalog } from '@switchboard/core';
import type { AnyPlugin, Candidate, Strategy } from '@switchboard/core';
import { createTestPluginContext } from './plugin-context.js';
import { describe, expect, it, vi } from 'vitest';
import { makeCandidate, makeCandidates, makeSelectContext, seededRandom, sequenceRandom } from '../candidates.js';
import type { RandomSource, TestCandidate } from '../candidates.js';

export interface StrategyConformanceOptions {
  /** Suite title, usually the strategy's config type. */
  name: string;
  /** A fresh strategy. Called once per test, so state (a round-robin cursor) never leaks between tests. */
  create: () => Strategy;
  /** Check an even share over equal idle candidates. Leave off for strategies that must not spread (first-match). */
  fair?: boolean;
  /** The plugin object (the default export's result), to check its shape, options and registration. */
  plugin?: AnyPlugin;
}

const FAIR_PICKS = 10_000;
const FAIR_CANDIDATES = 5;
const FAIR_TOLERANCE = 0.15;
/** The largest double below 1: the edge a `Math.floor(r * n)` index is most likely to overrun. */
const ALMOST_ONE = 1 - Number.EPSILON / 2;

export function runStrategyConformance(options: StrategyConformanceOptions): void {
  const { name, create } = options;

  describe(`strategy conformance: ${name}`, () => {
    it('has a non-empty name', () => {
      const strategy = create();
      expect(typeof strategy.name).toBe('string');
      expect(strategy.name.length).toBeGreaterThan(0);
    });

    it('returns undefined for an empty list', () => {
      const strategy = create();
      for (const random of [seededRandom(1), sequenceRandom([0]), sequenceRandom([ALMOST_ONE])]) {
        expect(strategy.select([], makeSelectContext({ random }))).toBeUndefined();
      }
    });

    it('returns the only candidate of a one-element list, whatever its stats and the random draw', () => {
      const strategy = create();
      const only = makeCandidate('only', { inFlight: 7, ewmaMs: 250, successRate: 0.1 });
      const list = frozen([only]);
      for (const random of [sequenceRandom([0]), sequenceRandom([0.5]), sequenceRandom([ALMOST_ONE]), seededRandom(9)]) {
        for (let i = 0; i < 5; i++) expect(strategy.select(list, makeSelectContext({ random }))).toBe(only);
      }
    });

    it('always returns a member of the (frozen, unmodified) list as its size changes between 1 and 10', () => {
      const misses: string[] = [];
      for (let seed = 1; seed <= 20; seed++) {
        // One strategy across all sizes: state kept from a longer list must not overrun a shorter one.
        const strategy = create();
        const statsRandom = seededRandom(seed * 7919);
        const ctx = makeSelectContext({ random: seededRandom(seed), now: 1_000 });
        for (let round = 0; round < 3; round++) {
          for (let size = 1; size <= 10; size++) {
            const n = round === 1 ? 11 - size : size; // grow, shrink, grow
            const list = frozen(variedCandidates(n, statsRandom));
            for (let call = 0; call < 20; call++) {
              const picked = strategy.select(list, ctx);
              if (!picked || !list.includes(picked)) misses.push(`seed ${seed}, size ${n}, call ${call}: ${String(picked?.name)}`);
            }
          }
        }
      }
      expect(misses).toEqual([]);
    });

    it('stays in range when the random source returns its extremes (0 and just below 1)', () => {
      const strategy = create();
      const ctx = makeSelectContext({ random: sequenceRandom([0, ALMOST_ONE, ALMOST_ONE, 0, 0]) });
      for (let n = 1; n <= 10; n++) {
        const list = frozen(makeCandidates(n, { inFlight: 1, ewmaMs: 5 }));
        for (let call = 0; call < 10; call++) {
          const picked = strategy.select(list, ctx);
          expect(picked && list.includes(picked), `size ${n}, call ${call}`).toBe(true);
        }
      }
    });

    it('reuses one list object with all-equal stats without throwing', () => {
      const strategy = create();
      const busy = frozen(makeCandidates(4, { inFlight: 3, ewmaMs: 20, total: 10, successes: 10 }));
      const idle = frozen(makeCandidates(4));
      const ctx = makeSelectContext({ random: seededRandom(42) });
      let misses = 0;
      for (let i = 0; i < 1_000; i++) {
        const fromBusy = strategy.select(busy, ctx);
        const fromIdle = strategy.select(idle, ctx);
        if (!fromBusy || !busy.includes(fromBusy)) misses++;
        if (!fromIdle || !idle.includes(fromIdle)) misses++;
      }
      expect(misses).toBe(0);
    });

    it('draws randomness only from the context, never Math.random', () => {
      const spy = vi.spyOn(Math, 'random');
      try {
        const strategy = create();
        const ctx = makeSelectContext({ random: seededRandom(3) });
        for (let n = 0; n <= 6; n++) {
          const list = variedCandidates(n, seededRandom(n + 1));
          for (let i = 0; i < 20; i++) strategy.select(list, ctx);
        }
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    });

    it('is reproducible: the same seed and stats give the same picks', () => {
      const list = variedCandidates(6, seededRandom(5));
      const run = (): string[] => {
        const strategy = create();
        const ctx = makeSelectContext({ random: seededRandom(77), now: 5_000 });
        const names: string[] = [];
        for (let i = 0; i < 200; i++) names.push(strategy.select(list, ctx)?.name ?? '(none)');
        return names;
      };
      expect(run()).toEqual(run());
    });

    if (options.fair) {
      it(`shares ${FAIR_PICKS} picks over ${FAIR_CANDIDATES} equal idle candidates within ±${FAIR_TOLERANCE * 100}%`, () => {
        const strategy = create();
        const list = frozen(makeCandidates(FAIR_CANDIDATES));
        const counts = new Map<Candidate, number>();
        const ctx = makeSelectContext({ random: seededRandom(2024) });
        for (let i = 0; i < FAIR_PICKS; i++) {
          const picked = strategy.select(list, ctx);
          if (picked) counts.set(picked, (counts.get(picked) ?? 0) + 1);
        }
        const share = FAIR_PICKS / FAIR_CANDIDATES;
        for (const candidate of list) {
          const count = counts.get(candidate) ?? 0;
          expect(count, candidate.name).toBeGreaterThanOrEqual(share * (1 - FAIR_TOLERANCE));
          expect(count, candidate.name).toBeLessThanOrEqual(share * (1 + FAIR_TOLERANCE));
        }
      });
    }

    const { plugin } = options;
    if (plugin) {
      describe('plugin', () => {
        it('is a valid plugin for this core, of kind strategy', () => {
          expect(() => new PluginCatalog().add(plugin)).not.toThrow();
          expect(plugin.kind).toBe('strategy');
        });

        it('accepts empty options', () => {
          expect(plugin.optionsSchema.safeParse({}).success).toBe(true);
        });

        it('registers exactly one working Strategy', async () => {
          const context = createTestPluginContext({ kind: 'strategy', instanceId: `${plugin.type}#0`, options: plugin.optionsSchema.parse({}) });
          await plugin.register(context, plugin.optionsSchema.parse({}));
          const provided = context.provided;
          expect(provided).toHaveLength(1);
          const strategy = provided[0] as Strategy;
          expect(typeof strategy.select).toBe('function');
          const only = makeCandidate('only');
          expect(strategy.select([], makeSelectContext())).toBeUndefined();
          expect(strategy.select([only], makeSelectContext())).toBe(only);
        });
      });
    }
  });
}

/** Candidates with mixed stats (some idle, some busy, some never measured) drawn from `random`. */
function variedCandidates(count: number, random: RandomSource): TestCandidate[] {
  const list: TestCandidate[] = [];
  for (let i = 0; i < count; i++) {
    const measured = random() < 0.7;
    list.push(
      makeCandidate(`svc-${i}`, {
        inFlight: Math.floor(random() * 6),
        ewmaMs: measured ? 1 + random() * 200 : 0,
        successRate: random(),
      }),
    );
  }
  return list;
}

/** Frozen so a strategy that writes to the list it was handed throws (modules run in strict mode). */
function frozen(list: readonly Candidate[]): readonly Candidate[] {
  return Object.freeze(list);
}
