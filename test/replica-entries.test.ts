// Replica sets an operator declares on one server entry (`urls`, `replicas`), `disabled` entries,
// and names that stay valid while servers come and go — through the gateway to real upstreams.
import { serverEntrySchema, toDescriptors } from '@switchboard/core';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

let fixtures: GatewayFixture[] = [];
let harness: GatewayHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await Promise.all(fixtures.map((f) => f.close()));
  fixtures = [];
});

async function fixture(name: string): Promise<GatewayFixture> {
  const f = await startGatewayFixture({ name });
  fixtures.push(f);
  return f;
}

describe('replicas declared on one server entry', () => {
  it('serves the endpoints of `urls` as one replica set, balanced, and qualifies it under the entry name on a collision', async () => {
    const one = await fixture('one');
    const two = await fixture('two');
    const other = await fixture('other');
    harness = await startGateway(
      [
        { name: 'search', urls: [one.url, two.url] },
        { name: 'other', url: other.url },
      ],
      { strategy: 'round-robin' },
    );
    expect(harness.router.registry.all().map((e) => e.name).sort()).toEqual(['other', 'search-1', 'search-2']);
    const client = await harness.connect();
    const names = (await client.listTools()).tools.map((t) => t.name);
    // `whoami` exists on all three: the declared set is one route under its entry's name, the other server its own.
    expect(names.filter((n) => n.endsWith('whoami')).sort()).toEqual(['other__whoami', 'search__whoami']);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(firstText(await client.callTool({ name: 'search__whoami' })));
    expect([...seen].sort()).toEqual(['one', 'two']);
  });

  it('runs `replicas: N` processes of a command, and leaves a disabled entry out', async () => {
    const base = stdioFixtureEntry('worker', ['echo', 'whoami']);
    harness = await startGateway([{ ...base, replicas: 3 }, { ...stdioFixtureEntry('off', ['calculate']), disabled: true }], { strategy: 'round-robin' });
    expect(harness.router.registry.all().map((e) => e.name).sort()).toEqual(['worker-1', 'worker-2', 'worker-3']);
    const client = await harness.connect();
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'whoami']));
    expect(names).not.toContain('calculate');
    for (let i = 0; i < 6; i++) await client.callTool({ name: 'echo', arguments: { text: String(i) } });
    const pids = new Set(['worker-1', 'worker-2', 'worker-3'].map((n) => (harness!.router.pool.connected(n)?.transport as { pid?: number } | undefined)?.pid));
    expect(pids.size).toBe(3);
    for (const n of ['worker-1', 'worker-2', 'worker-3']) expect(harness.router.registry.get(n)!.stats.total).toBeGreaterThan(0);
  });

  it('refuses `urls` beside `url`, and `replicas` without a command', () => {
    expect(serverEntrySchema.safeParse({ name: 'x', url: 'http://127.0.0.1:1/mcp', urls: ['http://127.0.0.1:2/mcp'] }).error?.issues[0]?.message).toMatch(/not both/);
    expect(serverEntrySchema.safeParse({ name: 'x', url: 'http://127.0.0.1:1/mcp', replicas: 2 }).error?.issues[0]?.message).toMatch(/list them in `urls`/);
    expect(toDescriptors(serverEntrySchema.parse({ name: 'x', command: 'node', disabled: true }), 'test')).toEqual([]);
  });
});

describe('names a client has seen', () => {
  it('stay valid when a server joins with a colliding tool: the newcomer is qualified', async () => {
    const first = await fixture('first');
    harness = await startGateway([{ name: 'first', url: first.url }]);
    const client = await harness.connect();
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('whoami');

    const late = await fixture('late');
    for (const d of toDescriptors(serverEntrySchema.parse({ name: 'late', url: late.url }), 'test')) harness.router.registry.apply({ type: 'added', service: d });
    await waitFor(async () => (await client.listTools()).tools.some((t) => t.name === 'late__whoami'), { what: 'the newcomer listed' });
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('whoami');
    expect(names).not.toContain('first__whoami');
    expect(firstText(await client.callTool({ name: 'whoami' }))).toBe('first');
    expect(firstText(await client.callTool({ name: 'late__whoami' }))).toBe('late');
  });
});
