// What an advertised instance answers, without sockets.
import { describe, expect, it } from 'vitest';
import { buildRecordSet, goodbyeRecords } from '../src/record-set.js';
import { replyTo } from '../src/responder.js';
import { encodeTxt } from '../src/txt.js';

const set = buildRecordSet({
  label: 'weather',
  serviceType: '_mcp._tcp.local',
  host: 'box.local',
  port: 4100,
  txt: encodeTxt([['txtvers', '1']]),
  addresses: ['127.0.0.1', 'fd00::1'],
  hostTtl: 120,
  otherTtl: 4500,
});

type Q = Parameters<typeof replyTo>[0];
const query = (questions: { name: string; type: string }[], answers: unknown[] = []): Q => ({ questions, answers }) as unknown as Q;

describe('replyTo', () => {
  it('answers a browse with the PTR and puts SRV, TXT and addresses in the additional section', () => {
    const reply = replyTo(query([{ name: '_MCP._tcp.local', type: 'PTR' }]), set);
    expect(reply?.answers).toEqual([set.ptr]);
    expect(reply?.additionals).toEqual([set.srv, set.txt, ...set.addresses]);
  });

  it('stays silent when the asker already knows the PTR with at least half its TTL (known-answer suppression)', () => {
    expect(replyTo(query([{ name: '_mcp._tcp.local', type: 'PTR' }], [{ ...set.ptr, ttl: 2250 }]), set)).toBeUndefined();
    expect(replyTo(query([{ name: '_mcp._tcp.local', type: 'PTR' }], [{ ...set.ptr, ttl: 2249 }]), set)?.answers).toEqual([set.ptr]);
  });

  it('answers SRV, TXT, ANY, host address and service-type enumeration questions', () => {
    expect(replyTo(query([{ name: 'weather._mcp._tcp.local', type: 'SRV' }]), set)).toEqual({ answers: [set.srv], additionals: set.addresses });
    expect(replyTo(query([{ name: 'weather._mcp._tcp.local', type: 'TXT' }]), set)?.answers).toEqual([set.txt]);
    expect(replyTo(query([{ name: 'weather._mcp._tcp.local', type: 'ANY' }]), set)?.answers).toEqual([set.srv, set.txt]);
    expect(replyTo(query([{ name: 'box.local', type: 'AAAA' }]), set)?.answers).toEqual([set.addresses[1]]);
    expect(replyTo(query([{ name: '_services._dns-sd._udp.local', type: 'PTR' }]), set)?.answers).toEqual([set.meta]);
  });

  it('ignores questions about anything else', () => {
    expect(replyTo(query([{ name: 'other._mcp._tcp.local', type: 'SRV' }, { name: '_http._tcp.local', type: 'PTR' }]), set)).toBeUndefined();
  });

  it('marks unique records cache-flush, and a goodbye withdraws PTR, SRV and TXT with TTL 0', () => {
    expect([set.srv, set.txt, set.ptr].map((r) => ('flush' in r ? r.flush : undefined))).toEqual([true, true, undefined]);
    expect(goodbyeRecords(set).map((r) => [r.type, 'ttl' in r ? r.ttl : undefined])).toEqual([
      ['PTR', 0],
      ['SRV', 0],
      ['TXT', 0],
    ]);
  });
});
