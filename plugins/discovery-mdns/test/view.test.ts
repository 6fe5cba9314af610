// Turning resolved instances into events, including two instances that claim one logical name.
import { describe, expect, it } from 'vitest';
import type { ResolvedInstance } from '../src/server-entry.js';
import { decodeTxt } from '../src/txt.js';
import { ServiceView } from '../src/view.js';

function inst(label: string, port: number, txt: string[] = ['txtvers=1']): ResolvedInstance {
  return { fqdn: `${label}._mcp._tcp.local`, label, host: 'box.local', port, txt: decodeTxt(txt), addresses: ['10.0.0.1'] };
}

describe('ServiceView', () => {
  it('emits added, updated (only on a real change) and removed', () => {
    const view = new ServiceView('mdns#1');
    expect(view.update([inst('a', 1)]).events).toMatchObject([{ type: 'added', service: { name: 'a', source: 'mdns#1', url: 'http://10.0.0.1:1/mcp' } }]);
    expect(view.update([inst('a', 1)]).events).toEqual([]);
    expect(view.update([inst('a', 2)]).events).toMatchObject([{ type: 'updated', service: { url: 'http://10.0.0.1:2/mcp' } }]);
    expect(view.update([]).events).toEqual([{ type: 'removed', name: 'a', source: 'mdns#1' }]);
  });

  it('keeps replicas of one logical name routable: the first by full name keeps it, the others get name@instance', () => {
    const view = new ServiceView('mdns#1');
    const first = inst('x1', 1, ['txtvers=1', 'name=shared']);
    const second = inst('x2', 2, ['txtvers=1', 'name=shared']);
    const r1 = view.update([second, first]);
    expect(r1.events).toMatchObject([
      { type: 'added', service: { name: 'shared', url: 'http://10.0.0.1:1/mcp', metadata: { logicalName: 'shared' } } },
      { type: 'added', service: { name: 'shared@x2', url: 'http://10.0.0.1:2/mcp', metadata: { logicalName: 'shared' } } },
    ]);
    expect(r1.warnings).toEqual([]);
    expect(view.update([first, second]).events).toEqual([]);
    const r2 = view.update([second]);
    expect(r2.events).toEqual(
      expect.arrayContaining([
        { type: 'removed', name: 'shared@x2', source: 'mdns#1' },
        expect.objectContaining({ type: 'updated', service: expect.objectContaining({ name: 'shared', url: 'http://10.0.0.1:2/mcp' }) }),
      ]),
    );
  });

  it('warns again when a bad instance changes its problem, and removes a service whose record turned bad', () => {
    const view = new ServiceView('mdns#1');
    view.update([inst('a', 1)]);
    const r = view.update([inst('a', 1, ['txtvers=1', 'proto=grpc'])]);
    expect(r.events).toEqual([{ type: 'removed', name: 'a', source: 'mdns#1' }]);
    expect(r.warnings).toMatchObject([{ fields: { instance: 'a._mcp._tcp.local', field: 'proto' } }]);
    expect(view.update([inst('a', 1, ['proto=http'])]).warnings).toMatchObject([{ fields: { field: 'txtvers' } }]);
  });
});
