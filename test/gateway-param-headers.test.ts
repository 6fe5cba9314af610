// SEP-2243 custom headers (2026-07-28): a tool that marks a parameter `x-mcp-header: Region` gets
// its value mirrored into an `Mcp-Param-Region` header, and a server reading the body refuses a
// request whose header disagrees with it (400, -32020). Behind the gateway is the SDK v2 server,
// which enforces this; in front, clients of both SDK lines and raw requests.
import { startModernConformanceFixture, type ModernConformanceFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failures, runConformanceSuite } from './helpers/conformance-suite.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { modernRequest } from './helpers/modern-request.js';

let upstream: ModernConformanceFixture;
let harness: GatewayHarness;

beforeAll(async () => {
  upstream = await startModernConformanceFixture();
  harness = await startGateway([{ name: 'modern', url: upstream.url }]);
}, 30_000);

afterAll(async () => {
  await harness?.close();
  await upstream?.close();
});

/** tools/call test_custom_header with these extra headers. */
const call = (url: string, args: Record<string, unknown>, headers: Record<string, string>) => modernRequest(url, 'tools/call', { name: 'test_custom_header', arguments: args }, { headers });

describe('Mcp-Param-* headers through the gateway', () => {
  it('lists the tool with its declaration, as the upstream does', async () => {
    const listed = await modernRequest(harness.http.url, 'tools/list', {});
    const tool = (listed.result!.tools as Array<{ name: string; inputSchema: { properties: Record<string, Record<string, unknown>> } }>).find((t) => t.name === 'test_custom_header');
    expect(tool?.inputSchema.properties.region).toMatchObject({ type: 'string', 'x-mcp-header': 'Region' });
  });

  it('sends the upstream the header for the value the call carries: the call succeeds from a 2026-07-28 client and a 2025 one', async () => {
    // The upstream alone refuses the call without the header.
    const bare = await call(upstream.url, { region: 'eu' }, {});
    expect(bare).toMatchObject({ status: 400, error: { code: -32020 } });

    const modern = await call(harness.http.url, { region: 'eu' }, { 'mcp-param-region': 'eu' });
    expect(modern).toMatchObject({ status: 200, result: { content: [{ type: 'text', text: 'region eu' }] } });
    // Base64 for a value no plain header can carry; the upstream gets it encoded again.
    const encoded = await call(harness.http.url, { region: 'région ouest' }, { 'mcp-param-region': `=?base64?${Buffer.from('région ouest').toString('base64')}?=` });
    expect(encoded.result).toMatchObject({ content: [{ type: 'text', text: 'region région ouest' }] });

    const legacy = await harness.connect();
    try {
      expect(firstText(await legacy.callTool({ name: 'test_custom_header', arguments: { region: 'ap' } }))).toBe('region ap');
    } finally {
      await legacy.close();
    }
  });

  it('refuses, with 400 and -32020, a header that is missing, disagrees with the body or is badly encoded', async () => {
    for (const headers of [{}, { 'mcp-param-region': 'us' }, { 'mcp-param-region': '=?base64?ZXU?=' }] as Array<Record<string, string>>) {
      const refused = await call(harness.http.url, { region: 'eu' }, headers);
      expect(refused.status, JSON.stringify(headers)).toBe(400);
      expect(refused).toMatchObject({ id: 1, error: { code: -32020 } });
    }
    // A parameter left out of the call needs no header.
    const without = await call(harness.http.url, {}, {});
    expect(without.error?.code).not.toBe(-32020);
  });

  it("passes the conformance suite's custom-header scenario", { timeout: 120_000 }, async () => {
    const { results } = await runConformanceSuite(harness.http.url, ['--scenario', 'http-custom-header-server-validation']);
    const checks = results.get('http-custom-header-server-validation') ?? [];
    expect(checks.filter((c) => c.status === 'SUCCESS').length).toBeGreaterThanOrEqual(5);
    expect(failures(results)).toEqual([]);
  });
});
