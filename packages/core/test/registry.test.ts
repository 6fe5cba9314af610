import { describe, expect, it } from 'vitest';
import { serverEntrySchema, ServiceRegistry, toDescriptor } from '../src/index.js';

const d = (name: string, source: string, extra: Record<string, unknown> = {}) =>
  toDescriptor(serverEntrySchema.parse({ name, url: 'http://127.0.0.1:1/mcp', capabilities: ['search'], ...extra }), source);

describe('service registry', () => {
  it('filters by capabilities and tool names, in priority order, and caches per key', () => {
    const r = new ServiceRegistry();
    r.apply({ type: 'added', service: d('a', 's', { priority: 2 }) });
    r.apply({ type: 'added', service: d('b', 's', { priority: 1 }) });
    r.apply({ type: 'added', service: d('c', 's', { capabilities: ['compute'] }) });
    r.setTools(r.get('c')!, [{ name: 'calculate', inputSchema: { type: 'object' } }]);
    const search = r.candidates('k1', ['search'], undefined, 0);
    expect(search.list.map((e) => e.name)).toEqual(['b', 'a']);
    expect(r.candidates('k1', ['search'], undefined, 0)).toBe(search);
    expect(r.candidates('k2', ['calculate'], undefined, 0).list.map((e) => e.name)).toEqual(['c']);
    expect(r.candidates('k3', ['nothing'], undefined, 0).list).toHaveLength(0);
  });

  it('prefers services with the request type when some have it', () => {
    const r = new ServiceRegistry();
    r.apply({ type: 'added', service: d('a', 's') });
    r.apply({ type: 'added', service: d('b', 's', { capabilities: ['search', 'news'] }) });
    expect(r.candidates('n', ['search'], 'news', 0).list.map((e) => e.name)).toEqual(['b']);
    expect(r.candidates('m', ['search'], 'maps', 0).list.map((e) => e.name)).toEqual(['a', 'b']);
  });

  it('drops unhealthy services, and falls back to them in panic', () => {
    const r = new ServiceRegistry();
    r.apply({ type: 'added', service: d('a', 's') });
    r.apply({ type: 'added', service: d('b', 's') });
    r.get('a')!.health.status = 'unhealthy';
    r.markChanged(r.get('a')!);
    expect(r.candidates('k', ['search'], undefined, 0).list.map((e) => e.name)).toEqual(['b']);
    r.get('b')!.health.status = 'unhealthy';
    r.markChanged(r.get('b')!);
    const panic = r.candidates('k', ['search'], undefined, 0);
    expect(panic.panic).toBe(true);
    expect(panic.list).toHaveLength(2);
  });

  it('routes across all eligible services when fewer than the panic threshold are healthy', () => {
    const r = new ServiceRegistry();
    for (const n of ['a', 'b', 'c', 'd']) r.apply({ type: 'added', service: d(n, 's') });
    for (const n of ['a', 'b']) {
      r.get(n)!.health.status = 'unhealthy';
      r.markChanged(r.get(n)!);
    }
    expect(r.candidates('k', ['search'], undefined, 0)).toMatchObject({ panic: false }); // 50% healthy: at the threshold
    r.get('c')!.health.status = 'unhealthy';
    r.markChanged(r.get('c')!);
    const panic = r.candidates('k', ['search'], undefined, 0);
    expect(panic.panic).toBe(true);
    expect(panic.list.map((e) => e.name)).toEqual(['a', 'b', 'c', 'd']);
    r.panicThresholdPercent = 0; // disabled: only the healthy one
    r.markChanged(r.get('c')!);
    expect(r.candidates('k', ['search'], undefined, 0).list.map((e) => e.name)).toEqual(['d']);
  });

  it('re-admits a service when its open breaker reaches half-open time', () => {
    const r = new ServiceRegistry();
    r.apply({ type: 'added', service: d('a', 's') });
    r.apply({ type: 'added', service: d('b', 's') });
    const a = r.get('a')!;
    a.breaker = 'open';
    a.breakerReopenAt = 1_000;
    r.markChanged(a);
    expect(r.candidates('k', ['search'], undefined, 500).list.map((e) => e.name)).toEqual(['b']);
    expect(r.candidates('k', ['search'], undefined, 1_000).list.map((e) => e.name)).toEqual(['a', 'b']);
  });

  it('merges one service reported by two sources; the first source wins until it withdraws', () => {
    const r = new ServiceRegistry();
    const events: string[] = [];
    r.on('added', (e) => events.push(`added ${e.name}`));
    r.on('updated', (e) => events.push(`updated ${e.name} from ${e.descriptor.source}`));
    r.on('removed', (e) => events.push(`removed ${e.name}`));
    r.apply({ type: 'added', service: d('a', 'static#0') });
    r.apply({ type: 'added', service: d('a', 'mdns#0', { url: 'http://127.0.0.1:2/mcp' }) });
    expect(r.get('a')!.descriptor.source).toBe('static#0');
    r.apply({ type: 'removed', name: 'a', source: 'static#0' });
    expect(r.get('a')!.descriptor.url).toBe('http://127.0.0.1:2/mcp');
    r.apply({ type: 'removed', name: 'a', source: 'mdns#0' });
    expect(r.get('a')).toBeUndefined();
    expect(events).toEqual(['added a', 'updated a from mdns#0', 'removed a']);
  });

  it('ignores an update that changes nothing', () => {
    const r = new ServiceRegistry();
    let updates = 0;
    r.on('updated', () => updates++);
    r.apply({ type: 'added', service: d('a', 's') });
    r.apply({ type: 'updated', service: d('a', 's') });
    expect(updates).toBe(0);
    r.apply({ type: 'updated', service: d('a', 's', { priority: 3 }) });
    expect(updates).toBe(1);
  });
});
