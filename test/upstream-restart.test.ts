// Upstream restarts must not break client sessions: an HTTP upstream that restarted answers the
// gateway's old upstream session with 404 (the spec) or 400 "No valid session ID provided" (what
// published servers such as server-everything send). It refused the call before running it, so the
// gateway opens a new upstream session and sends the call again, once, without charging the breaker.
import { createRouter } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { corePlugins } from './helpers/plugins.js';

let upstream: GatewayFixture | undefined;
let harness: GatewayHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await upstream?.close();
  upstream = undefined;
});

async function restart(fixture: GatewayFixture, unknownSession: 404 | 400): Promise<GatewayFixture> {
  const port = Number(new URL(fixture.url).port);
  await fixture.close();
  // A restart takes a moment: the gateway's side sees its keep-alive sockets closed meanwhile. (A
  // request written onto a socket the instant the server drops it is a different case, ambiguous
  // as any connection lost mid-call.)
  await new Promise((resolve) => setTimeout(resolve, 100));
  return startGatewayFixture({ name: 'up', port, unknownSession });
}

describe('an HTTP upstream that restarted', () => {
  for (const status of [404, 400] as const) {
    it(`keeps every client session working when it answers the old session with ${status}`, async () => {
      upstream = await startGatewayFixture({ name: 'up', unknownSession: status });
      harness = await startGateway([{ name: 'up', transport: 'http', url: upstream.url }], { gateway: {} });
      const a = await harness.connect();
      const b = await harness.connect();
      expect(firstText(await a.callTool({ name: 'echo', arguments: { text: 'before' } }))).toBe('before');
      expect(firstText(await b.callTool({ name: 'echo', arguments: { text: 'before' } }))).toBe('before');
      upstream = await restart(upstream, status);
      // The first call of each session after the restart succeeds, on a new upstream session.
      expect(firstText(await a.callTool({ name: 'echo', arguments: { text: 'after a' } }))).toBe('after a');
      expect(firstText(await b.callTool({ name: 'echo', arguments: { text: 'after b' } }))).toBe('after b');
      expect(upstream.sessionsOpened).toBeGreaterThanOrEqual(2);
      const entry = harness.router.registry.get('up')!;
      expect(entry.stats.failures).toBe(0);
      expect(entry.breaker).toBe('closed');
    });
  }

  it('renews the router pool session too', async () => {
    upstream = await startGatewayFixture({ name: 'up', unknownSession: 400 });
    const router = createRouter({ discovery: [{ type: 'static', servers: [{ name: 'up', transport: 'http', url: upstream.url }] }], health: false, logLevel: 'silent' }, { plugins: corePlugins() });
    await router.initialize();
    try {
      expect(await router.routeRequest({ toolName: 'echo', arguments: { text: 'before' } })).toMatchObject({ success: true });
      upstream = await restart(upstream, 400);
      expect(await router.routeRequest({ toolName: 'echo', arguments: { text: 'after' } })).toMatchObject({ success: true, failoverAttempts: 0 });
      expect(router.registry.get('up')!.stats.failures).toBe(0);
    } finally {
      await router.close();
    }
  });
});
