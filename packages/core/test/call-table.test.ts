import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CallTable } from '../src/call-table.js';

/** A small deterministic generator, so a failure is reproducible. */
function random(seed: number): () => number {
  let state = seed;
  return () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

describe('CallTable', () => {
  it('agrees with a Map over a long run of sets and deletes, with ids of both kinds', () => {
    const next = random(7);
    const table = new CallTable<string | number, number>();
    const model = new Map<string | number, number>();
    for (let step = 0; step < 50_000; step++) {
      // A narrow key space makes collisions, overwrites and deletes of absent keys common.
      const n = Math.floor(next() * 300);
      const key = next() < 0.5 ? n : String(n);
      const roll = next();
      if (roll < 0.5) {
        table.set(key, step);
        model.set(key, step);
      } else if (roll < 0.9) {
        expect(table.delete(key)).toBe(model.delete(key));
      } else {
        expect(table.get(key)).toBe(model.get(key));
        expect(table.has(key)).toBe(model.has(key));
      }
      expect(table.size).toBe(model.size);
    }
    expect(new Set(table.keyList())).toEqual(new Set(model.keys()));
    expect(table.values().sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
  });

  it('compares keys as a Map does: NaN is one key, and so are 0 and -0', () => {
    const table = new CallTable<number, string>();
    const model = new Map<number, string>();
    for (const [key, value] of [[NaN, 'a'], [NaN, 'b'], [0, 'c'], [-0, 'd']] as const) (table.set(key, value), model.set(key, value));
    expect(table.size).toBe(model.size);
    expect(table.get(NaN)).toBe(model.get(NaN));
    expect(table.get(0)).toBe(model.get(-0));
    expect(table.delete(NaN)).toBe(true);
    expect(table.size).toBe(1);
  });

  it('tells 1 from "1" and finds keys past a grow', () => {
    const table = new CallTable<string | number, string>({ capacity: 2 });
    table.set(1, 'number').set('1', 'string');
    for (let i = 100; i < 1_100; i++) table.set(i, `n${i}`);
    expect(table.get(1)).toBe('number');
    expect(table.get('1')).toBe('string');
    expect(table.get(777)).toBe('n777');
    expect(table.size).toBe(1_002);
  });

  it('with a limit, forgets the key set longest ago first, as a Map that deletes its first key would', () => {
    const next = random(11);
    const limit = 50;
    const table = new CallTable<number, number>({ limit });
    // The model: a Map keeps insertion order; an overwrite keeps a key's place, a delete and set again moves it last.
    const model = new Map<number, number>();
    for (let step = 0; step < 40_000; step++) {
      const key = Math.floor(next() * 400);
      if (next() < 0.7) {
        table.set(key, step);
        model.set(key, step);
        if (model.size > limit) model.delete(model.keys().next().value as number);
      } else {
        expect(table.delete(key)).toBe(model.delete(key));
      }
      expect(table.size).toBe(model.size);
    }
    expect(table.keyList().sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
    for (const [key, value] of model) expect(table.get(key)).toBe(value);
    // The ring of set keys is compacted: it never holds much more than twice the limit.
    expect((table as unknown as { ringKeys: unknown[] }).ringKeys.length).toBeLessThanOrEqual(2 * limit + 16);
  });

  it('with a limit that is always full, keeps its ring bounded', () => {
    const table = new CallTable<number, number>({ limit: 8 });
    for (let i = 0; i < 10_000; i++) table.set(i, i);
    expect(table.keyList().sort((a, b) => a - b)).toEqual([9_992, 9_993, 9_994, 9_995, 9_996, 9_997, 9_998, 9_999]);
    expect((table as unknown as { ringKeys: unknown[] }).ringKeys.length).toBeLessThanOrEqual(2 * 8 + 16);
  });

  it('holds nothing of a deleted entry', () => {
    const table = new CallTable<number, object>();
    for (let i = 0; i < 10; i++) table.set(i, { i });
    for (let i = 0; i < 10; i++) table.delete(i);
    // The slots themselves are cleared: no value survives in the arrays, as a Map's old tables keep them.
    const slots = (table as unknown as { vals: unknown[] }).vals;
    expect(slots.every((v) => v === undefined)).toBe(true);
    expect(table.size).toBe(0);
    table.clear();
    expect(table.keyList()).toEqual([]);
  });
});

describe('CallTable and the garbage collector', () => {
  const churn = (kind: 'map' | 'table'): number =>
    Number(execFileSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('./fixtures/table-churn.mjs', import.meta.url)), kind], { encoding: 'utf8' }).trim());

  it('lets deleted entries die in a scavenge, where a long-lived Map keeps them until a full collection', () => {
    const map = churn('map');
    const table = churn('table');
    // The Map's replaced tables, one of them in old space, keep every later entry: megabytes
    // promoted. The table's deleted entries are unreachable at once; old space barely moves.
    expect(map).toBeGreaterThan(2_000);
    expect(table).toBeLessThan(map / 20);
  });
});
