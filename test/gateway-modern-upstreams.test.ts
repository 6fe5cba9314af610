// Fronting 2026-07-28 servers: modern-only upstreams built on the official SDK v2 (createMcpHandler
// over HTTP, serveStdio over a stdio pipe) behind the gateway beside a 2025-only SDK v1 server, used
// by a 2025 client (SDK v1, with a session) and a 2026-07-28 client (SDK v2, stateless). Each
// upstream's era is found by the server/discover probe the specification prescribes, cached per
// endpoint, and overridable with `protocol:` on the entry.
import { fileURLToPath } from 'node:url';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { createRouter } from '@switchboard/core';
import { modernStdioFixtureEntry, startHttpFixture, startModernHttpFixture, type ModernHttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { corePlugins } from './helpers/plugins.js';

const PROBE_AVERSE = fileURLToPath(new URL('./fixtures/probe-averse-server.mjs', import.meta.url));

let modernHttp: ModernHttpFixture;
let legacyHttp: GatewayFixture;
let harness: GatewayHarness;
const modernClients: ModernClient[] = [];

beforeAll(async () => {
  modernHttp = await startModernHttpFixture({ name: 'm-http' });
  legacyHttp = await startGatewayFixture({ name: 'legacy' });
  harness = await startGateway(
    [
      { name: 'm-http', transport: 'http', url: modernHttp.url },
      modernStdioFixtureEntry('m-stdio'),
      { name: 'legacy', transport: 'http', url: legacyHttp.url },
    ],
    { namespace: 'always' },
  );
});

afterAll(async () => {
  await Promise.all(modernClients.map((c) => c.close().catch(() => undefined)));
  await harness.close();
  await legacyHttp.close();
  await modernHttp.close();
});

async function modernClient(): Promise<ModernClient> {
  const client = new ModernClient({ name: 'modern-client', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new ModernHttpTransport(new URL(harness.http.url)));
  modernClients.push(client);
  return client;
}

describe('modern-only upstreams', () => {
  it('are detected as 2026-07-28 and called statelessly, never with initialize or a session', async () => {
    expect(harness.router.pool.state('m-http')).toMatchObject({ connected: true, era: '2026', protocolVersion: '2026-07-28' });
    expect(harness.router.pool.state('m-stdio')).toMatchObject({ connected: true, era: '2026', protocolVersion: '2026-07-28' });
    expect(harness.router.pool.state('legacy')).toMatchObject({ connected: true, era: '2025' });
    // Operators see it where they see health (`switchboard health`, /services).
    const health = await harness.router.getServiceHealth();
    expect(health['m-http']).toMatchObject({ era: '2026', protocolVersion: '2026-07-28' });
    expect(health['legacy']).toMatchObject({ era: '2025', protocolVersion: '2025-11-25' });
    const client = await harness.connect();
    expect(firstText(await client.callTool({ name: 'm-http__echo', arguments: { text: 'hi' } }))).toBe('m-http: hi');
    expect(firstText(await client.callTool({ name: 'm-stdio__echo', arguments: { text: 'hi' } }))).toBe('m-stdio: hi');
    expect(firstText(await client.callTool({ name: 'legacy__echo', arguments: { text: 'hi' } }))).toBe('hi');
    const methods = modernHttp.requests.map((r) => r.method);
    expect(methods).toContain('server/discover');
    expect(methods).toContain('tools/call');
    // Every request carried the standard headers of the revision, none a session, none initialize.
    expect(modernHttp.requests.every((r) => r.method !== undefined && r.protocolVersion === '2026-07-28' && r.sessionId === undefined)).toBe(true);
  });

  it('serve both eras of client: tools, resources, templates and prompts of every upstream', async () => {
    const legacy = await harness.connect();
    const current = await modernClient();
    for (const client of [legacy, current] as const) {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(['m-http__echo', 'm-http__whoami', 'm-stdio__echo', 'legacy__echo']));
      const resources = (await client.listResources()).resources.map((r) => r.uri);
      expect(resources).toEqual(expect.arrayContaining(['fixture://m-http/readme', 'fixture://m-stdio/readme']));
      const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
      expect(templates).toEqual(expect.arrayContaining(['fixture://m-http/notes/{id}']));
      const read = await client.readResource({ uri: 'fixture://m-stdio/notes/7' });
      expect(read.contents[0]).toMatchObject({ text: 'note 7 of m-stdio' });
      const prompt = await client.getPrompt({ name: 'm-http__greet', arguments: { who: 'ada' } });
      expect(prompt.messages[0]?.content).toMatchObject({ text: 'm-http greets ada' });
    }
    expect(firstText(await current.callTool({ name: 'm-stdio__whoami' }))).toBe('m-stdio');
    // A resource nobody has is -32602, as 2026-07-28 says; the SDK v2 answers 2025 clients the same
    // way (2025-11-25 said -32002, which the 2026 revision asks clients to keep accepting).
    await expect(current.readResource({ uri: 'fixture://nobody/here' })).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('Resource not found') });
    await expect(legacy.readResource({ uri: 'fixture://nobody/here' })).rejects.toMatchObject({ code: -32602 });
  });

  it('are health-checked with server/discover (2026-07-28 has no ping)', async () => {
    const fixture = await startModernHttpFixture({ name: 'checked' });
    const router = createRouter(
      { discovery: [{ type: 'static', servers: [{ name: 'checked', url: fixture.url }] }], health: { type: 'ping', intervalMs: 50, timeoutMs: 1_000 }, logLevel: 'error' },
      { plugins: corePlugins() },
    );
    try {
      await router.initialize();
      await expect.poll(() => fixture.requests.filter((r) => r.method === 'server/discover').length, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
      expect(fixture.requests.some((r) => r.method === 'ping')).toBe(false);
      expect((await router.getServiceHealth())['checked']).toMatchObject({ healthCheck: 'healthy', era: '2026' });
    } finally {
      await router.close();
      await fixture.close();
    }
  });

  it('learn list changes from the upstream subscriptions/listen stream', async () => {
    const client = await harness.connect();
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('m-http__late_tool');
    modernHttp.addTool('late_tool');
    await expect.poll(async () => (await client.listTools()).tools.map((t) => t.name), { timeout: 5_000 }).toContain('m-http__late_tool');
    expect(firstText(await client.callTool({ name: 'm-http__late_tool' }))).toBe('m-http: late_tool');
    expect(modernHttp.requests.some((r) => r.method === 'subscriptions/listen')).toBe(true);
  });

  it('reopen a listen stream the upstream ends at once with backoff, not in a loop', async () => {
    const fixture = await startModernHttpFixture({ name: 'cut', endListenStreams: true });
    const router = createRouter(
      { discovery: [{ type: 'static', servers: [{ name: 'cut', url: fixture.url }] }], strategy: { type: 'first-match' }, health: false, logLevel: 'error' },
      { plugins: corePlugins() },
    );
    try {
      await router.initialize();
      const listens = (): number => fixture.requests.filter((r) => r.method === 'subscriptions/listen').length;
      await expect.poll(listens).toBeGreaterThanOrEqual(2); // opened, ended, opened again
      await new Promise((r) => setTimeout(r, 1500));
      // Backoff from 100 ms doubling: about five in 1.5 s. Reopened at once, it was hundreds.
      expect(listens()).toBeLessThanOrEqual(10);
      expect(await router.routeRequest({ toolName: 'echo', arguments: { text: 'still' } })).toMatchObject({ success: true });
    } finally {
      await router.close();
      await fixture.close();
    }
  });
});

describe('era detection', () => {
  async function routerFor(servers: Record<string, unknown>[]) {
    const router = createRouter(
      { discovery: [{ type: 'static', servers }], strategy: { type: 'first-match' }, health: false, logLevel: 'error' },
      { plugins: corePlugins(), connectTimeoutMs: 1_500 },
    );
    await router.initialize();
    return router;
  }

  it('probes an endpoint once: a reconnect adopts the cached verdict and sends nothing', async () => {
    const fixture = await startModernHttpFixture({ name: 'cached' });
    const router = await routerFor([{ name: 'cached', url: fixture.url }]);
    try {
      const entry = router.registry.get('cached')!;
      await router.pool.client(entry.descriptor);
      await router.pool.drop('cached');
      await router.pool.client(entry.descriptor);
      expect(router.pool.state('cached')).toMatchObject({ era: '2026' });
      expect(fixture.requests.filter((r) => r.method === 'server/discover')).toHaveLength(1);
    } finally {
      await router.close();
      await fixture.close();
    }
  });

  it('runs published-style 2025 servers that exit on the probe or never answer it, as legacy', async () => {
    const router = await routerFor([
      { name: 'exits', command: process.execPath, args: [PROBE_AVERSE, '--on-probe', 'exit'] },
      { name: 'silent', command: process.execPath, args: [PROBE_AVERSE, '--on-probe', 'ignore'] },
    ]);
    try {
      for (const name of ['exits', 'silent']) {
        const client = await router.pool.client(router.registry.get(name)!.descriptor);
        expect(firstText(await client.callTool({ name: 'echo', arguments: { text: name } }))).toBe(`probe-averse: ${name}`);
        expect(router.pool.state(name)).toMatchObject({ connected: true, era: '2025' });
      }
    } finally {
      await router.close();
    }
  });

  it('probes again when the assumption fails: a modern server replaced by a 2025 one on the same port', async () => {
    const modernServer = await startModernHttpFixture({ name: 'swapped' });
    const port = Number(new URL(modernServer.url).port);
    const router = createRouter(
      { discovery: [{ type: 'static', servers: [{ name: 'swapped', url: modernServer.url }] }], strategy: { type: 'first-match' }, health: { type: 'ping', intervalMs: 100, timeoutMs: 500, unhealthyThreshold: 1 }, logLevel: 'error' },
      { plugins: corePlugins(), connectTimeoutMs: 1_500 },
    );
    let legacyServer: Awaited<ReturnType<typeof startHttpFixture>> | undefined;
    try {
      await router.initialize();
      await expect.poll(() => router.pool.state('swapped')?.era, { timeout: 5_000 }).toBe('2026');
      await modernServer.close();
      legacyServer = await startHttpFixture({ name: 'swapped', tools: ['echo'], port });
      // The cached verdict says modern; the health check finds that wrong, and the next connect probes.
      await expect.poll(() => router.pool.state('swapped')?.era, { timeout: 10_000 }).toBe('2025');
      const result = await router.routeRequest({ toolName: 'echo', arguments: { text: 'after the swap' } });
      expect(result.success).toBe(true);
    } finally {
      await router.close();
      await legacyServer?.close();
    }
  });

  it('honours protocol: on the entry, and says what is wrong when it does not hold', async () => {
    const fixture = await startModernHttpFixture({ name: 'pinned' });
    const legacyFixture = await startGatewayFixture({ name: 'old' });
    const router = await routerFor([
      { name: 'forced-legacy', url: fixture.url, protocol: 'legacy' },
      { name: 'forced-modern', url: legacyFixture.url, protocol: 'modern' },
      { name: 'modern-ok', url: fixture.url, protocol: 'modern' },
    ]);
    try {
      const get = (name: string) => router.registry.get(name)!.descriptor;
      // A modern-only server refuses initialize; the entry said legacy, so nothing probed it.
      await expect(router.pool.client(get('forced-legacy'))).rejects.toMatchObject({ message: expect.stringMatching(/refused initialize: it speaks only MCP 2026-07-28/) });
      await expect(router.pool.client(get('forced-modern'))).rejects.toMatchObject({ message: expect.stringMatching(/protocol: modern, but it is a legacy \(2025\) server/) });
      await router.pool.client(get('modern-ok'));
      expect(router.pool.state('modern-ok')).toMatchObject({ era: '2026' });
    } finally {
      await router.close();
      await legacyFixture.close();
      await fixture.close();
    }
  });
});

describe('cache hints on lists', () => {
  let fast: ModernHttpFixture;
  let slow: ModernHttpFixture;
  let gw: GatewayHarness;

  beforeAll(async () => {
    fast = await startModernHttpFixture({ name: 'fast', listCache: { ttlMs: 400, cacheScope: 'public' } });
    slow = await startModernHttpFixture({ name: 'slow', listCache: { ttlMs: 60_000, cacheScope: 'private' } });
    gw = await startGateway([{ name: 'fast', url: fast.url }, { name: 'slow', url: slow.url }], { namespace: 'always' });
  });

  afterAll(async () => {
    await gw.close();
    await fast.close();
    await slow.close();
  });

  async function modernList(method: string): Promise<Record<string, unknown>> {
    const res = await fetch(gw.http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': method },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method,
        params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' } } },
      }),
    });
    const text = await res.text();
    const data = text.startsWith('event:') || text.startsWith('data:') ? text.split('\n').find((l) => l.startsWith('data:'))!.slice(5) : text;
    return (JSON.parse(data) as { result: Record<string, unknown> }).result;
  }

  const toolLists = (f: ModernHttpFixture): number => f.requests.filter((r) => r.method === 'tools/list').length;

  it('carry the smallest ttl of the upstreams behind the answer, and private when any is', async () => {
    const result = await modernList('tools/list');
    expect((result.tools as Array<{ name: string }>).map((t) => t.name)).toEqual(expect.arrayContaining(['fast__echo', 'slow__echo']));
    expect(result.ttlMs).toBeGreaterThan(0);
    expect(result.ttlMs).toBeLessThanOrEqual(400);
    expect(result.cacheScope).toBe('private');
    // Prompts and resources carry their own lists' hints the same way.
    expect(await modernList('prompts/list')).toMatchObject({ cacheScope: 'private', ttlMs: expect.any(Number) });
  });

  it('re-read an upstream list when a client needs it after its ttl ran out, never on a timer', async () => {
    await modernList('tools/list');
    const before = toolLists(fast);
    await new Promise((r) => setTimeout(r, 700)); // well past fast's 400 ms; nobody asks meanwhile
    expect(toolLists(fast)).toBe(before); // not polled
    const slowBefore = toolLists(slow);
    const result = await modernList('tools/list');
    expect(toolLists(fast)).toBe(before + 1); // stale: read again before answering
    expect(toolLists(slow)).toBe(slowBefore); // still fresh: not read
    expect(result.ttlMs).toBeGreaterThan(0);
  });

  it('are not added for 2025 clients, whose answers stay as they were', async () => {
    const client = await gw.connect();
    const result = (await client.listTools()) as Record<string, unknown>;
    expect(result.ttlMs).toBeUndefined();
    expect(result.cacheScope).toBeUndefined();
  });
});
