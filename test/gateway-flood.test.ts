// A flood of new sessions is refused cleanly past the cap, and a client already connected keeps
// working through it.
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

let upstream: GatewayFixture;
let harness: GatewayHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await upstream.close();
});

const initialize = (i: number) => ({
  jsonrpc: '2.0',
  id: i,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: `flood-${i}`, version: '1' } },
});

describe('session flood', () => {
  it('refuses sessions past maxSessions with 503 and keeps serving the existing one', async () => {
    upstream = await startGatewayFixture({ name: 'steady' });
    harness = await startGateway([{ name: 'steady', transport: 'http', url: upstream.url }], { http: { maxSessions: 10 } });
    const client = await harness.connect();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(harness!.http.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify(initialize(i)),
        }).then(async (res) => {
          await res.body?.cancel();
          return res.status;
        }),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(9); // the cap, less the client above
    expect(statuses.filter((s) => s === 503)).toHaveLength(31);
    expect(harness.http.sessionCount).toBe(10);
    expect(firstText(await client.callTool({ name: 'whoami' }))).toBe('steady');
  });
});
