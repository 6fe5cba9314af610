import { describe, expect, it } from 'vitest';
import { CallMap } from '../src/call-map.js';
import { UpstreamClient } from '../src/sdk/upstream-client.js';

describe('CallMap', () => {
  it('is a Map to whoever is handed one: the same answers for every method the SDK uses', () => {
    const map = new CallMap<number, string>();
    const model = new Map<number, string>();
    for (let i = 0; i < 200; i++) {
      map.set(i % 37, `v${i}`);
      model.set(i % 37, `v${i}`);
      if (i % 3 === 0) expect(map.delete(i % 11)).toBe(model.delete(i % 11));
    }
    expect(map).toBeInstanceOf(Map);
    expect(map.size).toBe(model.size);
    expect(map.get(5)).toBe(model.get(5));
    expect(map.has(11)).toBe(model.has(11));
    const sorted = <T>(items: Iterable<T>) => [...items].sort();
    expect(sorted(map.values())).toEqual(sorted(model.values()));
    expect(sorted(map.keys())).toEqual(sorted(model.keys()));
    expect(new Map(map)).toEqual(model);
    const seen: string[] = [];
    map.forEach((value, key, self) => (expect(self).toBe(map), seen.push(`${key}=${value}`)));
    expect(sorted(seen)).toEqual(sorted([...model].map(([k, v]) => `${k}=${v}`)));
  });

  it('iterates a snapshot, so a teardown may delete while it walks', () => {
    const map = new CallMap<number, number>();
    for (let i = 0; i < 10; i++) map.set(i, i);
    const walked: number[] = [];
    for (const value of map.values()) (walked.push(value), map.delete(value));
    expect(walked.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(map.size).toBe(0);
  });

  it('holds the SDK Protocol’s per-request maps of every UpstreamClient', () => {
    const client = new UpstreamClient({ name: 'test', version: '1' });
    const fields = client as unknown as Record<string, unknown>;
    for (const name of ['_responseHandlers', '_timeoutInfo', '_progressHandlers']) expect(fields[name]).toBeInstanceOf(CallMap);
  });
});
