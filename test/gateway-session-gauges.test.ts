// The gateway's session gauges (/metrics, /services, the dashboard's snapshot) count 2025 client
// sessions only: a 2026-07-28 request is served by a session object while it runs, but its client
// holds no session, so it is reported as a request in flight instead.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

let harness: GatewayHarness;
let modern: ModernClient | undefined;

beforeAll(async () => {
  // Every call takes 400 ms upstream, long enough to read the gauges while one is in flight.
  harness = await startGateway([stdioFixtureEntry('slow', ['echo'], { latencyMs: 400 })]);
});

afterAll(async () => {
  await modern?.close().catch(() => undefined);
  await harness.close();
});

async function gauges(): Promise<{ sessions: number; modern: number; report: { sessions: number; modernRequestsInFlight: number } }> {
  const base = harness.http.url.replace(/\/mcp$/, '');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const gauge = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const report = (await (await fetch(`${base}/services`)).json()) as { sessions: number; modernRequestsInFlight: number };
  return { sessions: gauge('switchboard_gateway_sessions'), modern: gauge('switchboard_gateway_modern_requests_in_flight'), report };
}

describe('session gauges', () => {
  it('count a 2026-07-28 request in flight as a request, not a session; a 2025 client as a session', async () => {
    expect(await gauges()).toMatchObject({ sessions: 0, modern: 0, report: { sessions: 0, modernRequestsInFlight: 0 } });

    modern = new ModernClient({ name: 'modern-client', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await modern.connect(new ModernHttpTransport(new URL(harness.http.url)));
    const call = modern.callTool({ name: 'echo', arguments: { text: 'in flight' } });
    await expect.poll(async () => (await gauges()).modern, { timeout: 2_000, interval: 20 }).toBe(1);
    expect(await gauges()).toMatchObject({ sessions: 0, report: { sessions: 0 } });
    expect(harness.gateway.sessionCount).toBe(0);
    expect(firstText(await call)).toBe('in flight');
    await expect.poll(async () => (await gauges()).modern).toBe(0);

    const legacy = await harness.connect();
    expect(await gauges()).toMatchObject({ sessions: 1, modern: 0, report: { sessions: 1, modernRequestsInFlight: 0 } });
    expect(firstText(await legacy.callTool({ name: 'echo', arguments: { text: 'legacy' } }))).toBe('legacy');
    expect(harness.gateway.sessionCount).toBe(1);
    await legacy.close();
  });
});
