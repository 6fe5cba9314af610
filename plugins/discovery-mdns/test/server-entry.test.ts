// TXT decoding (RFC 6763 §6) and the mapping of a resolved instance to a server entry.
import { describe, expect, it } from 'vitest';
import { toRawServerEntry, type ResolvedInstance } from '../src/server-entry.js';
import { decodeTxt, encodeTxt } from '../src/txt.js';

function instance(txt: string[], overrides: Partial<ResolvedInstance> = {}): ResolvedInstance {
  return { fqdn: 'w._mcp._tcp.local', label: 'w', host: 'box.local', port: 8080, txt: decodeTxt(txt), addresses: ['10.0.0.1'], ...overrides };
}

describe('decodeTxt', () => {
  it('lowercases keys, keeps the first occurrence, and reads boolean and empty values', () => {
    const txt = decodeTxt([Buffer.from('Proto=sse'), 'proto=ws', 'flag', 'empty=', '=nokey', '', 'path=/a=b']);
    expect([...txt]).toEqual([
      ['proto', 'sse'],
      ['flag', true],
      ['empty', ''],
      ['path', '/a=b'],
    ]);
  });

  it('round-trips what encodeTxt writes', () => {
    expect([...decodeTxt(encodeTxt([['txtvers', '1'], ['caps', 'a,b']]))]).toEqual([
      ['txtvers', '1'],
      ['caps', 'a,b'],
    ]);
  });
});

describe('toRawServerEntry', () => {
  it('maps proto to transport and scheme, with /mcp as the default path', () => {
    expect(toRawServerEntry(instance(['txtvers=1', 'proto=http']))).toMatchObject({ ok: true, raw: { transport: 'http', url: 'http://10.0.0.1:8080/mcp' } });
    expect(toRawServerEntry(instance(['txtvers=1', 'proto=sse', 'path=/sse']))).toMatchObject({ ok: true, raw: { transport: 'sse', url: 'http://10.0.0.1:8080/sse' } });
    expect(toRawServerEntry(instance(['txtvers=1', 'proto=ws']))).toMatchObject({ ok: true, raw: { transport: 'websocket', url: 'ws://10.0.0.1:8080/mcp' } });
  });

  it('reads caps and name, and puts the instance and host in metadata', () => {
    expect(toRawServerEntry(instance(['txtvers=1', 'caps= a ,b,,', 'name=weather']))).toEqual({
      ok: true,
      raw: {
        name: 'weather',
        transport: 'http',
        url: 'http://10.0.0.1:8080/mcp',
        capabilities: ['a', 'b'],
        metadata: { mdnsInstance: 'w._mcp._tcp.local', host: 'box.local', addresses: ['10.0.0.1'] },
      },
    });
  });

  it('reads TXT group= as the replica group, and refuses an empty one', () => {
    expect(toRawServerEntry(instance(['txtvers=1', 'name=search-2', 'group=search']))).toMatchObject({ ok: true, raw: { name: 'search-2', replicaGroup: 'search' } });
    expect(toRawServerEntry(instance(['txtvers=1', 'group=']))).toMatchObject({ ok: false, field: 'group' });
  });

  it('prefers IPv4, brackets IPv6, skips link-local IPv6, and falls back to the host name', () => {
    const url = (addresses: string[]): unknown => {
      const r = toRawServerEntry(instance(['txtvers=1'], { addresses }));
      return r.ok ? r.raw.url : r;
    };
    expect(url(['fd00::1', '10.0.0.2'])).toBe('http://10.0.0.2:8080/mcp');
    expect(url(['fe80::1', 'fd00::1'])).toBe('http://[fd00::1]:8080/mcp');
    expect(url(['fe80::1'])).toBe('http://box.local:8080/mcp');
  });

  it('names the bad field', () => {
    const field = (txt: string[], overrides: Partial<ResolvedInstance> = {}): string | undefined => {
      const r = toRawServerEntry(instance(txt, overrides));
      return r.ok ? undefined : r.field;
    };
    expect(field(['proto=http'])).toBe('txtvers');
    expect(field(['txtvers=2'])).toBe('txtvers');
    expect(field(['txtvers=1', 'proto=grpc'])).toBe('proto');
    expect(field(['txtvers=1', 'proto'])).toBe('proto');
    expect(field(['txtvers=1'], { port: 0 })).toBe('port');
    expect(field(['txtvers=1', 'path=mcp'])).toBe('path');
    expect(field(['txtvers=1', 'name='])).toBe('name');
  });
});
