// Observability hooks: an observer wraps each routed call (its async context is live during the
// upstream request, so a tracing header reaches the upstream) and sees every attempt and result.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRouter, type AttemptInfo, type Router, type RoutedInfo, type RouteObserver } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { corePlugins } from './helpers/plugins.js';

let router: Router | undefined;
const fixtures: GatewayFixture[] = [];

afterEach(async () => {
  await router?.close();
  router = undefined;
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

describe('route observers', () => {
  it('wrap each call, add headers to the upstream request, and see attempts and results', async () => {
    const dead = await startGatewayFixture({ name: 'dead' });
    const live = await startGatewayFixture({ name: 'live' });
    fixtures.push(live);
    const trace = new AsyncLocalStorage<string>();
    const attempts: AttemptInfo[] = [];
    const routed: RoutedInfo[] = [];
    const observer: RouteObserver = {
      around: (info, run) => trace.run(`trace-${info.requestId}`, run),
      outgoingHeaders: () => {
        const id = trace.getStore();
        return id ? { traceparent: id } : undefined;
      },
      onAttempt: (a) => void attempts.push(a),
      onRouted: (r) => void routed.push(r),
    };
    router = createRouter(
      { discovery: [{ type: 'static', servers: [{ name: 'dead', url: dead.url }, { name: 'live', url: live.url }] }], health: false, logLevel: 'silent', failover: { retryableTools: ['whoami'] } },
      { plugins: corePlugins(), observers: [observer] },
    );
    await router.initialize();
    await dead.close();
    const r = await router.routeRequest({ toolName: 'whoami' });
    expect(r.serviceUsed).toBe('live');

    expect(routed).toHaveLength(1);
    expect(routed[0]).toMatchObject({ operation: 'tools/call', toolName: 'whoami', strategy: 'first-match', service: 'live', ok: true, failoverAttempts: 1 });
    expect(attempts.map((a) => [a.service, a.ok])).toEqual([
      ['dead', false],
      ['live', true],
    ]);
    const sent = live.headers.map((h) => h.traceparent).filter(Boolean);
    expect(sent).toContain(`trace-${routed[0]!.requestId}`);
    // Requests outside a routed call (the initial handshake) carry no trace header.
    expect(live.headers.some((h) => h.traceparent === undefined)).toBe(true);
  });
});
