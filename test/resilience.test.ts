// Safe failover, the retry budget and supervised upstreams, against real servers.
import { createRouter, type Router } from '@switchboard/core';
import { startHttpFixture, stdioFixtureEntry, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { corePlugins } from './helpers/plugins.js';
import { waitFor } from './helpers/wait.js';
import { setTimeout as sleep } from 'node:timers/promises';

const fixtures: HttpFixture[] = [];
let router: Router | undefined;

afterEach(async () => {
  await router?.close();
  router = undefined;
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

async function twoReplicas(config: Record<string, unknown> = {}): Promise<[HttpFixture, HttpFixture, Router]> {
  const a = await startHttpFixture({ name: 'a', tools: ['record', 'echo', 'sleep'] });
  const b = await startHttpFixture({ name: 'b', tools: ['record', 'echo', 'sleep'] });
  fixtures.push(a, b);
  router = createRouter(
    { discovery: [{ type: 'static', servers: [{ name: 'a', url: a.url }, { name: 'b', url: b.url }] }], strategy: { type: 'first-match' }, health: false, logLevel: 'silent', ...config },
    { plugins: corePlugins() },
  );
  await router.initialize();
  return [a, b, router];
}

describe('safe failover', () => {
  it('does not repeat a call that may have reached the server when the tool is not idempotent', async () => {
    const [a, b, r] = await twoReplicas({ failover: { timeoutMs: 200 } });
    const result = await r.routeRequest({ toolName: 'record', arguments: { value: 'once', ms: 600 } });
    expect(result.success).toBe(false);
    expect(result.errorCode).toBe('TIMEOUT');
    expect(result.error).toContain('not retried on another service');
    expect(result.error).toContain("tool 'record'");
    expect(result.failoverAttempts).toBe(0);
    await waitFor(() => a.recorded.length === 1, { what: 'the slow call to finish on a' });
    expect(b.recorded).toEqual([]);
  });

  it('retries a non-idempotent call that never reached a server (connection refused)', async () => {
    const [a, b, r] = await twoReplicas();
    await a.close();
    // The first request after a server dies can meet a stale keep-alive socket ("other side
    // closed"): the request may have been written, so that one is ambiguous. A read-only call
    // absorbs it; after that, a is known down and a call to it provably never leaves.
    expect((await r.routeRequest({ toolName: 'echo', arguments: { text: 'warm' } })).serviceUsed).toBe('b');
    const result = await r.routeRequest({ toolName: 'record', arguments: { value: 'x' } });
    expect(result).toMatchObject({ success: true, serviceUsed: 'b', failoverAttempts: 1, primaryServiceFailed: 'a' });
    expect(b.recorded).toEqual(['x']);
  });

  it('retries a timed-out call when the tool is marked retryable in config', async () => {
    const [, b, r] = await twoReplicas({ failover: { timeoutMs: 200, retryableTools: ['record'] } });
    const result = await r.routeRequest({ toolName: 'record', arguments: { value: 'y', ms: 400 } });
    // b is slow too (same arguments), so both attempts time out, but b was tried.
    expect(result.attempts?.map((x) => x.service)).toEqual(['a', 'b']);
    await waitFor(() => b.recorded.length === 1, { what: 'b to have run the retried call' });
  });

  it('stops retrying when the retry budget is spent', async () => {
    const [a, , r] = await twoReplicas({ failover: { retryBudget: { percent: 0, minPerSecond: 0 } } });
    await a.close();
    const result = await r.routeRequest({ toolName: 'echo', arguments: { text: 'hi' } });
    expect(result.success).toBe(false);
    expect(result.error).toContain('retry budget is spent');
  });
});

describe('failure-rate ejection', () => {
  it('ejects a replica failing half its calls even when its failures never come five in a row', async () => {
    const [a, , r] = await twoReplicas({
      strategy: { type: 'round-robin' },
      failover: { breaker: { consecutiveFailures: 1_000 }, outlier: { minRequests: 10, failurePercent: 30 } },
    });
    a.setFault('flaky');
    const results = [];
    for (let i = 0; i < 60; i++) results.push(await r.routeRequest({ toolName: 'echo', arguments: { text: String(i) } }));
    expect(results.every((x) => x.success)).toBe(true); // echo is read-only: every failure failed over
    const health = (await r.getServiceHealth()).a!;
    expect(health.ejections).toBeGreaterThanOrEqual(1);
    expect(health.breakerState).toBe('open');
    const after = await r.routeRequest({ toolName: 'echo', arguments: { text: 'x' } });
    expect(after).toMatchObject({ serviceUsed: 'b', failoverAttempts: 0 });
  });
});

describe('caller cancellation', () => {
  it('is not held against the service: no failover, no breaker count, no health strike', async () => {
    const [, , r] = await twoReplicas({ failover: { breaker: { consecutiveFailures: 1 } } });
    const controller = new AbortController();
    const pending = r.routeRequest({ toolName: 'sleep', arguments: { ms: 5_000 }, signal: controller.signal });
    await waitFor(() => r.registry.get('a')!.stats.inFlight > 0, { what: 'call in flight' });
    controller.abort();
    const result = await pending;
    expect(result).toMatchObject({ success: false, errorCode: 'CANCELLED', failoverAttempts: 0 });
    const health = (await r.getServiceHealth()).a!;
    expect(health).toMatchObject({ healthy: true, breakerState: 'closed', totalRequests: 0 });
    expect((await r.routeRequest({ toolName: 'echo', arguments: { text: 'still here' } })).serviceUsed).toBe('a');
  });
});

describe('health checks', () => {
  it('do not drop a stdio server\'s connection (and process) over one slow ping', async () => {
    router = createRouter(
      {
        discovery: [{ type: 'static', servers: [stdioFixtureEntry('busy', ['block', 'whoami'])] }],
        health: { type: 'ping', intervalMs: 60_000, timeoutMs: 100, unhealthyThreshold: 3 },
        logLevel: 'silent',
      },
      { plugins: corePlugins() },
    );
    await router.initialize();
    const blocked = router.routeRequest({ toolName: 'block', arguments: { ms: 400 } });
    await waitFor(() => router!.registry.get('busy')!.stats.inFlight > 0, { what: 'the blocking call in flight' });
    // In flight in the router is not yet on the wire: the SDK client prepares a call for a few
    // microtasks first (its output-schema lookup). Give it a moment to reach the busy server.
    await sleep(50);
    const connection = router.pool.connected('busy');
    expect(connection).toBeDefined();
    await router.checkHealth(); // times out: the server is busy
    const health = (await router.getServiceHealth()).busy!;
    expect(health.consecutiveFailures).toBe(1);
    expect(health.status).toBe('healthy'); // below the threshold
    expect(router.pool.connected('busy')).toBe(connection); // the same session (and process), not a fresh one
    expect(await blocked).toMatchObject({ success: true, serviceUsed: 'busy' });
    expect((await router.getServiceHealth()).busy!.restarts).toBe(0);
  });
});

describe('supervised upstreams', () => {
  it('restarts a stdio server that exited, with no call needed, and routes to it again', { timeout: 40_000 }, async () => {
    router = createRouter(
      { discovery: [{ type: 'static', servers: [stdioFixtureEntry('worker', ['crash', 'whoami'])] }], health: false, logLevel: 'silent' },
      { plugins: corePlugins() },
    );
    await router.initialize();
    expect((await router.routeRequest({ toolName: 'crash' })).success).toBe(true);
    // A generous deadline: under a loaded CI machine a respawn can fail and back off first. The
    // pool's supervision state is in the message if it ever does not come.
    await waitFor(async () => (await router!.getServiceHealth()).worker!.restarts >= 1, { what: 'a restart', timeoutMs: 25_000 }).catch((e: Error) => {
      throw new Error(`${e.message}; pool state: ${JSON.stringify(router!.pool.state('worker'))}`);
    });
    const r = await router.routeRequest({ toolName: 'whoami' });
    expect(r).toMatchObject({ success: true, serviceUsed: 'worker', failoverAttempts: 0 });
  });

  it('renews the MCP session of an HTTP server that restarted and forgot it', async () => {
    const first = await startHttpFixture({ name: 'phoenix', tools: ['whoami'] });
    const port = first.port;
    router = createRouter(
      // This test is about session renewal: a breaker that opens on the failures while the server is
      // away would only add its open time, so it is kept out of the way.
      {
        discovery: [{ type: 'static', servers: [{ name: 'phoenix', url: first.url }] }],
        health: false,
        logLevel: 'silent',
        failover: { maxAttempts: 0, breaker: { consecutiveFailures: 1_000 } },
      },
      { plugins: corePlugins() },
    );
    await router.initialize();
    expect((await router.routeRequest({ toolName: 'whoami' })).success).toBe(true);
    await first.close();
    const again = await startHttpFixture({ name: 'phoenix', tools: ['whoami'], port });
    fixtures.push(again);
    let last = '';
    let health: unknown;
    const result = await waitFor(async () => {
      const r = await router!.routeRequest({ toolName: 'whoami' });
      last = r.error ?? '';
      health = (await router!.getServiceHealth()).phoenix;
      return r.success ? r : undefined;
    }, { what: 'calls to succeed on the restarted server' }).catch((e: Error) => {
      throw new Error(`${e.message}; last error: ${last}; health ${JSON.stringify(health)}; pool ${JSON.stringify(router!.pool.state('phoenix'))}`);
    });
    expect(result.serviceUsed).toBe('phoenix');
    expect((await router.getServiceHealth()).phoenix!.restarts).toBeGreaterThanOrEqual(1);
  });
});
