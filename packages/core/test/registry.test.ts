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

  it('keeps every source of a service through updates and withdrawals of the others', () => {
    const r = new ServiceRegistry();
    r.apply({ type: 'added', service: d('a', 'one') });
    r.apply({ type: 'added', service: d('a', 'two', { url: 'http://127.0.0.1:2/mcp' }) });
    r.apply({ type: 'added', service: d('a', 'three', { url: 'http://127.0.0.1:3/mcp' }) });
    // The second source changes its view, then withdraws; the first stays in force throughout.
    r.apply({ type: 'updated', service: d('a', 'two', { url: 'http://127.0.0.1:4/mcp' }) });
    expect(r.get('a')!.sources.map((s) => `${s.source} ${s.url}`)).toEqual(['one http://127.0.0.1:1/mcp', 'two http://127.0.0.1:4/mcp', 'three http://127.0.0.1:3/mcp']);
    r.apply({ type: 'removed', name: 'a', source: 'two' });
    expect(r.get('a')!.sources.map((s) => s.source)).toEqual(['one', 'three']);
    expect(r.get('a')!.descriptor.source).toBe('one');
    r.apply({ type: 'removed', name: 'a', source: 'one' });
    expect(r.get('a')!.descriptor.url).toBe('http://127.0.0.1:3/mcp');
    expect(r.get('a')!.sources.map((s) => s.source)).toEqual(['three']);
    // A re-announcement that changes nothing keeps the descriptor held.
    const held = r.get('a')!.descriptor;
    r.apply({ type: 'updated', service: d('a', 'three', { url: 'http://127.0.0.1:3/mcp' }) });
    expect(r.get('a')!.descriptor).toBe(held);
    expect(r.get('a')!.sources).toEqual([held]);
  });

  it('gives services listing the same tools one shared copy, and a service whose list changes its own', () => {
    const r = new ServiceRegistry();
    const list = (description: string) => [
      { name: 'search', description, inputSchema: { type: 'object' as const, properties: { q: { type: 'string' } } } },
      { name: 'fetch', inputSchema: { type: 'object' as const } },
    ];
    for (const name of ['r1', 'r2', 'r3']) r.apply({ type: 'added', service: d(name, 's') });
    const [r1, r2, r3] = ['r1', 'r2', 'r3'].map((n) => r.get(n)!);
    // Each list arrives as fresh objects, as each upstream's answer does.
    r.setTools(r1!, list('v1'));
    r.setTools(r2!, list('v1'));
    r.setTools(r3!, list('v2'));
    expect(r2!.tools).toBe(r1!.tools);
    expect(r2!.catalog.tools).toBe(r1!.catalog.tools);
    expect(r3!.tools).not.toBe(r1!.tools);
    expect(r3!.tools.get('search')!.description).toBe('v2');
    // r1 moves to v2: it now shares r3's copy; r2 keeps v1.
    r.setTools(r1!, list('v2'));
    expect(r1!.tools).toBe(r3!.tools);
    expect(r2!.tools.get('search')!.description).toBe('v1');
    expect(r.candidates('k', ['search'], undefined, 0).list.map((e) => e.name)).toEqual(['r1', 'r2', 'r3']);
  });
});
