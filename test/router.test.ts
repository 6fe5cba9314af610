// The router end to end against real MCP servers: two over Streamable HTTP, one over stdio.
import { createRouter, missingTransportMessage, type Router } from '@switchboard/core';
import { startHttpFixture, stdioFixtureEntry, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { corePlugins } from './helpers/plugins.js';
import { waitFor } from './helpers/wait.js';

let search1: HttpFixture;
let search2: HttpFixture;
let router: Router | undefined;

beforeEach(async () => {
  search1 = await startHttpFixture({ name: 'search-server-1', tools: ['web_search', 'whoami', 'sleep', 'fail'] });
  search2 = await startHttpFixture({ name: 'search-server-2', tools: ['web_search', 'whoami', 'sleep', 'fail'] });
});

afterEach(async () => {
  await router?.close();
  router = undefined;
  await search1.close();
  await search2.close();
});

function patternConfig(extra: Record<string, unknown> = {}) {
  return {
    initial_servers: [
      { name: 'search-server-1', transport: 'http', url: search1.url, capabilities: ['search', 'web_search'] },
      { name: 'search-server-2', transport: 'http', url: search2.url, capabilities: ['search', 'web_search'] },
      stdioFixtureEntry('compute-server', ['calculate', 'whoami', 'crash'], { capabilities: ['compute', 'calculate'] }),
    ],
    health_check_interval: 60,
    ...extra,
  };
}

describe('router over real servers', () => {
  it('discovers services with capabilities from config and from tools/list', async () => {
    router = createRouter(patternConfig(), { plugins: corePlugins() });
    await router.initialize();
    const services = await router.discoverServices();
    expect(Object.keys(services).sort()).toEqual(['compute-server', 'search-server-1', 'search-server-2']);
    expect(services['compute-server']!.tools.sort()).toEqual(['calculate', 'crash', 'whoami']);
    expect(services['compute-server']!.capabilities).toContain('compute');
    expect(services['search-server-1']!.transport).toBe('http');
  });

  it('routes by capability and returns the pattern result shape', async () => {
    router = createRouter(patternConfig(), { plugins: corePlugins() });
    await router.initialize();
    const search = await router.routeRequest({ requestType: 'search', toolName: 'web_search', arguments: { query: 'AI research' }, requiredCapabilities: ['search'] });
    expect(search.success).toBe(true);
    expect(search.serviceUsed).toBe('search-server-1'); // capability_match: first in order
    expect(search.failoverAttempts).toBe(0);
    expect(search.routingMetadata).toMatchObject({ selectedService: 'search-server-1', routingStrategy: 'first-match', alternativesAvailable: 1 });
    expect(search.latency).toBeGreaterThan(0);
    expect(JSON.stringify(search.result?.content)).toContain('AI research');

    const compute = await router.routeRequest({ requestType: 'compute', toolName: 'calculate', arguments: { expression: '6*7' }, requiredCapabilities: ['compute'] });
    expect(compute.serviceUsed).toBe('compute-server');
    expect(JSON.stringify(compute.result?.content)).toContain('6*7 = 42');

    const missing = await router.routeRequest({ toolName: 'calculate', requiredCapabilities: ['high_precision'] });
    expect(missing).toMatchObject({ success: false, errorCode: 'NO_SERVICE' });
    expect(missing.error).toContain('high_precision');

    const report = router.getPerformanceReport();
    expect(report.totalRoutingDecisions).toBe(3);
    expect(report.services['search-server-1']!.totalRequests).toBe(1);
    expect(report.services['compute-server']!.successfulRequests).toBe(1);
  });

  it('balances with round-robin across replicas', async () => {
    router = createRouter(patternConfig({ routing_strategy: 'load_balance', load_balancing_strategy: 'round_robin' }), { plugins: corePlugins() });
    await router.initialize();
    const used: string[] = [];
    for (let i = 0; i < 6; i++) used.push((await router.routeRequest({ toolName: 'web_search', arguments: { query: 'x' } })).serviceUsed!);
    expect(used.filter((s) => s === 'search-server-1')).toHaveLength(3);
    expect(used.filter((s) => s === 'search-server-2')).toHaveLength(3);
  });

  it('fails over when a server is killed mid-run, then routes around it', async () => {
    router = createRouter(patternConfig({ routing_strategy: 'load_balance' }), { plugins: corePlugins() });
    await router.initialize();
    expect((await router.routeRequest({ toolName: 'whoami', requiredCapabilities: ['search'] })).success).toBe(true);
    await search1.close();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await router.routeRequest({ toolName: 'whoami', requiredCapabilities: ['search'] }));
    expect(results.every((r) => r.success && r.serviceUsed === 'search-server-2')).toBe(true);
    const failedOver = results.find((r) => r.failoverAttempts > 0);
    expect(failedOver?.primaryServiceFailed).toBe('search-server-1');
    const health = await router.getServiceHealth();
    expect(health['search-server-1']!.totalRequests).toBeGreaterThan(0);
    expect(health['search-server-1']!.successRate).toBeLessThan(1);
  });

  it('fails over when a stdio server process dies', async () => {
    router = createRouter(
      {
        discovery: [
          {
            type: 'static',
            servers: [stdioFixtureEntry('compute-a', ['calculate', 'crash']), stdioFixtureEntry('compute-b', ['calculate', 'crash'])],
          },
        ],
        strategy: { type: 'first-match' },
      },
      { plugins: corePlugins() },
    );
    await router.initialize();
    // crash makes compute-a exit right after answering: the next call finds its pipe closed.
    expect((await router.routeRequest({ toolName: 'crash' })).serviceUsed).toBe('compute-a');
    const after = await router.routeRequest({ toolName: 'calculate', arguments: { expression: '1+1' } });
    expect(after.success).toBe(true);
    expect(JSON.stringify(after.result?.content)).toContain('1+1 = 2');
  });

  it('treats a tool error as a result, not a failover', async () => {
    router = createRouter(patternConfig(), { plugins: corePlugins() });
    await router.initialize();
    const r = await router.routeRequest({ toolName: 'fail' });
    expect(r).toMatchObject({ success: false, errorCode: 'TOOL_ERROR', failoverAttempts: 0, serviceUsed: 'search-server-1' });
    expect(r.result?.isError).toBe(true);
  });

  it('times out a slow call and fails over to the next replica', async () => {
    router = createRouter(patternConfig({ failover: { timeoutMs: 300, maxAttempts: 1 } }), { plugins: corePlugins() });
    await router.initialize();
    const r = await router.routeRequest({ toolName: 'sleep', arguments: { ms: 5_000 } });
    expect(r.success).toBe(false);
    expect(r.attempts?.map((a) => a.errorCode)).toEqual(['TIMEOUT', 'TIMEOUT']);
    expect(r.failoverAttempts).toBe(1);
  });

  it('marks a dead service unhealthy through ping health checks', async () => {
    router = createRouter(patternConfig({ health: { type: 'ping', intervalMs: 60_000, unhealthyThreshold: 1 } }), { plugins: corePlugins() });
    await router.initialize();
    expect((await router.getServiceHealth())['search-server-2']!.healthy).toBe(true);
    await search2.close();
    await waitFor(async () => {
      await router!.checkHealth();
      return !(await router!.getServiceHealth())['search-server-2']!.healthy;
    }, { what: 'search-server-2 unhealthy' });
    const health = await router.getServiceHealth();
    expect(health['search-server-2']!.lastError).toBeTruthy();
    expect(health['search-server-1']!.healthy).toBe(true);
  });

  it('opens the breaker after consecutive failures and skips the service without waiting', async () => {
    router = createRouter(patternConfig({ routing_strategy: 'load_balance', failover: { breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } }, health: false }), {
      plugins: corePlugins(),
    });
    await router.initialize();
    await search1.close();
    for (let i = 0; i < 4; i++) await router.routeRequest({ toolName: 'whoami', requiredCapabilities: ['search'] });
    const health = await router.getServiceHealth();
    expect(health['search-server-1']!.breakerState).toBe('open');
    const r = await router.routeRequest({ toolName: 'whoami', requiredCapabilities: ['search'] });
    expect(r).toMatchObject({ success: true, serviceUsed: 'search-server-2', failoverAttempts: 0 });
  });
});

describe('a missing transport plugin', () => {
  it('says which transports are loaded, and names the package for a first-party kind', async () => {
    router = createRouter(
      { discovery: [{ type: 'static', servers: [{ name: 'pigeon', transport: 'carrier-pigeon', url: 'http://127.0.0.1:1/mcp', capabilities: ['whoami'] }] }], health: false, logLevel: 'silent', failover: { maxAttempts: 0 } },
      { plugins: corePlugins() },
    );
    await router.initialize();
    const result = await router.routeRequest({ toolName: 'whoami' });
    expect(result.success).toBe(false);
    expect(result.error).toMatch(/no transport for 'carrier-pigeon' \(service pigeon\); install the package that provides transport 'carrier-pigeon' and list it in plugins: transports loaded: http, sse, stdio/);
    // A first-party kind is named by its package (what a trimmed install without it would say).
    expect(missingTransportMessage({ name: 'ws-one', transport: 'websocket' }, [])).toMatch(/install @switchboard\/transport-ws \(pnpm add @switchboard\/transport-ws\) or list it in plugins: transports loaded: none$/);
  });
});

describe('a request no transport can encode', () => {
  it("fails as the caller's error on every transport, with no failover and nothing held against the services", async () => {
    router = createRouter(patternConfig(), { plugins: corePlugins() });
    await router.initialize();
    // A programmatic caller's BigInt: JSON.stringify throws before anything is sent.
    for (const toolName of ['web_search', 'calculate']) {
      for (let i = 0; i < 6; i++) {
        const result = await router.routeRequest({ toolName, arguments: { query: 1n, expression: 2n } });
        expect(result).toMatchObject({ success: false, errorCode: 'INVALID_REQUEST', failoverAttempts: 0 });
      }
    }
    expect(router.registry.all().map((e) => [e.name, e.breaker, e.status])).toEqual(router.registry.all().map((e) => [e.name, 'closed', 'healthy']));
    expect((await router.routeRequest({ toolName: 'calculate', arguments: { expression: '6*7' } })).success).toBe(true);
  });
});
