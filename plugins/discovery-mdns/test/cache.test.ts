// The record cache's RFC 6762 rules, with time passed in: refresh at 80-95% of TTL, expiry, goodbye,
// cache-flush, known-answer lists and the short wait for a host's address.
import { describe, expect, it } from 'vitest';
import { MAX_ADDRESSES_PER_HOST, MdnsCache } from '../src/cache.js';
import type { CacheRecord } from '../src/records.js';

const TYPE = '_mcp._tcp.local';
const FQDN = `alpha.${TYPE}`;

function records(ttl = 100, host = 'box.local'): CacheRecord[] {
  return [
    { type: 'PTR', name: TYPE, ttl, data: FQDN },
    { type: 'SRV', name: FQDN, ttl, data: { target: host, port: 7000 } },
    { type: 'TXT', name: FQDN, ttl, data: ['txtvers=1'] },
    { type: 'A', name: host, ttl, data: '10.0.0.5', flush: true },
  ];
}

function cache(addressWaitMs = 500): MdnsCache {
  return new MdnsCache(TYPE, { addressWaitMs, random: () => 0 });
}

describe('MdnsCache', () => {
  it('resolves an instance from PTR, SRV, TXT and A in one packet', () => {
    const c = cache();
    expect(c.apply(records(), 0)).toBe(true);
    expect(c.ready(0)).toEqual([
      { fqdn: FQDN, label: 'alpha', host: 'box.local', port: 7000, txt: new Map([['txtvers', '1']]), addresses: ['10.0.0.5'] },
    ]);
  });

  it('ignores records of other service types and addresses of hosts no SRV points at', () => {
    const c = cache();
    expect(c.apply([{ type: 'PTR', name: '_http._tcp.local', ttl: 100, data: 'x._http._tcp.local' }, { type: 'A', name: 'other.local', ttl: 100, data: '10.0.0.9', flush: false }], 0)).toBe(false);
    expect(c.nextDeadline()).toBeUndefined();
  });

  it('re-queries at 80, 85, 90 and 95% of the TTL, then expires the record', () => {
    const c = cache();
    c.apply(records(100), 0); // 100 s TTL
    expect(c.nextDeadline()).toBe(80_000);
    expect(c.tick(79_999)).toEqual({ changed: false, questions: [] });
    const at80 = c.tick(80_000);
    expect(at80.questions).toEqual([
      { name: TYPE, type: 'PTR' },
      { name: FQDN, type: 'SRV' },
      { name: FQDN, type: 'TXT' },
      { name: 'box.local', type: 'A' },
    ]);
    expect(c.tick(80_001).questions).toEqual([]); // once per step
    expect(c.nextDeadline()).toBe(85_000);
    expect(c.tick(96_000).questions).toHaveLength(4); // 85, 90 and 95% all due: one question each
    expect(c.nextDeadline()).toBe(100_000);
    expect(c.ready(96_000)).toHaveLength(1);
    expect(c.tick(100_000).changed).toBe(true);
    expect(c.ready(100_000)).toEqual([]);
    expect(c.nextDeadline()).toBeUndefined();
  });

  it('restarts the refresh schedule when an answer renews a record', () => {
    const c = cache();
    c.apply(records(100), 0);
    c.tick(80_000);
    c.apply(records(100), 81_000);
    expect(c.nextDeadline()).toBe(81_000 + 80_000);
    expect(c.tick(100_000).changed).toBe(false);
    expect(c.ready(100_000)).toHaveLength(1);
  });

  it('drops an instance on a goodbye (TTL 0) for its PTR, SRV or TXT', () => {
    for (const type of ['PTR', 'SRV', 'TXT'] as const) {
      const c = cache();
      c.apply(records(), 0);
      const bye = records().find((r) => r.type === type);
      c.apply([{ ...bye!, ttl: 0 } as CacheRecord], 10);
      expect(c.ready(10), type).toEqual([]);
    }
  });

  it('reports an instance without an address only after the address wait, by host name', () => {
    const c = cache(500);
    c.apply(records().filter((r) => r.type !== 'A'), 0);
    expect(c.ready(499)).toEqual([]);
    expect(c.nextDeadline()).toBe(500);
    expect(c.tick(500).changed).toBe(true);
    expect(c.ready(500)[0]?.addresses).toEqual([]);
    c.apply([{ type: 'A', name: 'BOX.local.', ttl: 100, data: '10.0.0.7', flush: false }], 600);
    expect(c.ready(600)[0]?.addresses).toEqual(['10.0.0.7']);
  });

  it('keeps reporting an instance whose address expired, by host name, without a gap', () => {
    const c = cache(500);
    c.apply(records(100), 0);
    c.apply(records(200).filter((r) => r.type !== 'A'), 1000);
    expect(c.tick(100_000).changed).toBe(true); // the A record (TTL 100 s) expired
    expect(c.ready(100_000)[0]?.addresses).toEqual([]);
  });

  it('keeps addresses from the last second on a cache-flush, and drops older ones', () => {
    const c = cache();
    c.apply(records(), 0);
    c.apply([{ type: 'A', name: 'box.local', ttl: 100, data: '10.0.0.6', flush: true }], 500);
    expect(c.ready(500)[0]?.addresses).toEqual(['10.0.0.5', '10.0.0.6']);
    c.apply([{ type: 'A', name: 'box.local', ttl: 100, data: '10.0.0.6', flush: true }], 5000);
    expect(c.ready(5000)[0]?.addresses).toEqual(['10.0.0.6']);
  });

  it('lists known PTR answers only while more than half their TTL remains', () => {
    const c = cache();
    c.apply(records(100), 0);
    expect(c.knownAnswers(10_000)).toEqual([{ name: TYPE, ttl: 90, data: FQDN }]);
    expect(c.knownAnswers(60_000)).toEqual([]);
  });

  it('asks for missing SRV, TXT and addresses, at most once a second unless forced', () => {
    const c = cache();
    c.apply([{ type: 'PTR', name: TYPE, ttl: 100, data: FQDN }], 0);
    expect(c.missingQuestions(0)).toEqual([
      { name: FQDN, type: 'SRV' },
      { name: FQDN, type: 'TXT' },
    ]);
    expect(c.missingQuestions(500)).toEqual([]);
    expect(c.missingQuestions(500, true)).toHaveLength(2);
    c.apply([records()[1]!], 600);
    // The SRV's target is new, so its address question goes out at once.
    expect(c.missingQuestions(600)).toEqual([
      { name: 'box.local', type: 'A' },
      { name: 'box.local', type: 'AAAA' },
    ]);
  });

  it('treats names case-insensitively and ignores trailing dots', () => {
    const c = cache();
    c.apply([{ type: 'PTR', name: '_MCP._tcp.local.', ttl: 100, data: `Alpha._mcp._TCP.local.` }, ...records().slice(1)], 0);
    expect(c.ready(0)).toHaveLength(1);
    expect(c.ready(0)[0]?.label).toBe('Alpha');
  });

  it('holds at most maxInstances instances, counts what it refused, and takes new ones once there is room', () => {
    const c = new MdnsCache(TYPE, { addressWaitMs: 0, maxInstances: 2, random: () => 0 });
    const announce = (label: string, ttl = 100): CacheRecord[] => [
      { type: 'PTR', name: TYPE, ttl, data: `${label}.${TYPE}` },
      { type: 'SRV', name: `${label}.${TYPE}`, ttl, data: { target: `${label}-host.local`, port: 7000 } },
      { type: 'TXT', name: `${label}.${TYPE}`, ttl, data: ['txtvers=1'] },
    ];
    for (const label of ['a', 'b', 'c', 'd']) c.apply(announce(label), 0);
    expect(c.size).toBe(2);
    expect(c.ready(0).map((i) => i.label)).toEqual(['a', 'b']);
    expect(c.takeRefused()).toBe(6); // three records each for c and d
    expect(c.takeRefused()).toBe(0);
    // An address for a refused instance's host is not kept either: no SRV points at it.
    expect(c.apply([{ type: 'A', name: 'c-host.local', ttl: 100, data: '10.0.0.3', flush: false }], 0)).toBe(false);
    c.apply(announce('a', 0), 10); // goodbye
    c.apply(announce('c'), 20);
    expect(c.ready(20).map((i) => i.label)).toEqual(['b', 'c']);
  });

  it('keeps an address only while some SRV points at its host, however SRVs come and go', () => {
    const c = cache(0);
    const srv = (label: string, target: string, ttl = 100): CacheRecord => ({ type: 'SRV', name: `${label}.${TYPE}`, ttl, data: { target, port: 7000 } });
    const ptr = (label: string): CacheRecord => ({ type: 'PTR', name: TYPE, ttl: 100, data: `${label}.${TYPE}` });
    const a: CacheRecord = { type: 'A', name: 'shared.local', ttl: 100, data: '10.0.0.7', flush: false };
    c.apply([ptr('x'), ptr('y'), srv('x', 'shared.local'), srv('y', 'shared.local')], 0);
    expect(c.apply([a], 0)).toBe(true);
    c.apply([srv('x', 'other.local')], 1); // x moves away; y still points at shared.local
    expect(c.apply([a], 2)).toBe(true);
    c.apply([srv('y', 'shared.local', 0)], 3); // y's SRV says goodbye: nothing points there now
    expect(c.apply([a], 4)).toBe(false);
    c.tick(5); // the host and its address are dropped
    c.apply([srv('y', 'shared.local')], 6);
    expect(c.missingQuestions(6, true)).toContainEqual({ name: 'shared.local', type: 'A' });
  });

  it(`keeps at most ${MAX_ADDRESSES_PER_HOST} addresses per host, pushing out the one learned longest ago`, () => {
    const c = cache(0);
    c.apply(records(), 0);
    for (let i = 0; i < 40; i++) c.apply([{ type: 'A', name: 'box.local', ttl: 100, data: `10.1.0.${i}`, flush: false }], 1 + i);
    const addresses = c.ready(100)[0]?.addresses ?? [];
    expect(addresses).toHaveLength(MAX_ADDRESSES_PER_HOST);
    expect(addresses.at(-1)).toBe('10.1.0.39');
    expect(addresses).not.toContain('10.0.0.5');
  });
});
