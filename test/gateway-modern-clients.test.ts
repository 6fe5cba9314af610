// MCP 2026-07-28 clients on the gateway's one HTTP endpoint, beside 2025 ones: the official SDK v2
// client pinned to the new revision (no initialize, no session) reaches upstreams that speak only
// 2025-11-25 (an SDK v1 server over HTTP, and one over a stdio pipe), while a v1 client keeps its
// session on the same endpoint.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

let upstream: GatewayFixture;
let harness: GatewayHarness;
const modernClients: ModernClient[] = [];

beforeAll(async () => {
  upstream = await startGatewayFixture({ name: 'remote' });
  harness = await startGateway([{ name: 'remote', transport: 'http', url: upstream.url }, stdioFixtureEntry('local', ['whoami'])], { namespace: 'always' });
});

afterAll(async () => {
  await Promise.all(modernClients.map((c) => c.close().catch(() => undefined)));
  await harness.close();
  await upstream.close();
});

async function modern(): Promise<ModernClient> {
  const client = new ModernClient({ name: 'modern-client', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new ModernHttpTransport(new URL(harness.http.url)));
  modernClients.push(client);
  return client;
}

async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(harness.http.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const data = text.startsWith('event:') || text.startsWith('data:') ? JSON.parse(text.split('\n').find((l) => l.startsWith('data:'))!.slice(5)) : JSON.parse(text);
  return { status: res.status, json: data };
}

describe('2026-07-28 clients', () => {
  it('connect without initialize or a session, discover the gateway, list and call tools of 2025-only upstreams', async () => {
    const sessionsBefore = harness.http.sessionCount;
    const client = await modern();
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    const discover = client.getDiscoverResult();
    expect(discover?.supportedVersions).toContain('2026-07-28');
    expect(discover?.capabilities.tools).toBeDefined();
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['remote__echo', 'remote__progress', 'local__whoami']));
    expect(firstText(await client.callTool({ name: 'remote__echo', arguments: { text: 'modern' } }))).toBe('modern');
    expect(firstText(await client.callTool({ name: 'local__whoami' }))).toBe('local');
    expect(harness.http.sessionCount).toBe(sessionsBefore); // no session was opened for it
    // Metrics tell the eras apart.
    const metrics = await (await fetch(harness.http.url.replace('/mcp', '/metrics'))).text();
    expect(metrics).toMatch(/switchboard_gateway_requests_total\{method="tools\/call",service="remote",tool="remote__echo",era="2026"\} [1-9]/);
  });

  it('get progress for their calls on the request stream', async () => {
    const client = await modern();
    const progress: number[] = [];
    const result = await client.callTool({ name: 'remote__progress', arguments: { steps: 3 } }, { onprogress: (p) => void progress.push(p.progress) });
    expect(firstText(result)).toBe('remote: 3 steps');
    expect(progress).toEqual([1, 2, 3]);
  });

  it('are served beside 2025 sessions on the same endpoint, concurrently', async () => {
    const [legacy, current] = await Promise.all([harness.connect(), modern()]);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? legacy : current).callTool({ name: 'remote__echo', arguments: { text: `n${i}` } })),
    );
    expect(answers.map(firstText)).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
    expect(legacy.getServerVersion()?.name).toBe('switchboard');
  });

  it('naming an unsupported revision get -32022 with the supported list', async () => {
    const { json } = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' } } },
    }, { 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/list' });
    const error = (json as { error: { code: number; data: { supported: string[] } } }).error;
    expect(error.code).toBe(-32022);
    expect(error.data.supported).toContain('2026-07-28');
  });

  it('whose Mcp-Method header disagrees with the body get HeaderMismatch (-32020)', async () => {
    const { json } = await post({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/list',
      params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' } } },
    }, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' });
    expect((json as { error: { code: number } }).error.code).toBe(-32020);
  });

  it('an initialize in the 2026-07-28 envelope is a removed method: 404 and -32601, not a 2025 handshake', async () => {
    const sessionsBefore = harness.http.sessionCount;
    const { status, json } = await post(
      {
        jsonrpc: '2.0',
        id: 9,
        method: 'initialize',
        params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' } } },
      },
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'initialize' },
    );
    expect(status).toBe(404);
    expect(json).toMatchObject({ id: 9, error: { code: -32601 } });
    expect(harness.http.sessionCount).toBe(sessionsBefore);
  });

  it('a request that claims no revision and has no session gets the 2025 answer (initialize first)', async () => {
    const { status, json } = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' });
    expect(status).toBe(400);
    expect(JSON.stringify(json)).toContain('send an initialize request first');
  });

  it('hear on a subscriptions/listen stream when an upstream changes the tool list', async () => {
    const client = await modern();
    let changed = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      changed++;
    });
    const subscription = await client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter).toMatchObject({ toolsListChanged: true });
    upstream.changeEchoSchema('words'); // the upstream sends tools/list_changed; the catalogue changes
    await waitFor(() => changed > 0, { what: 'tools/list_changed on the listen stream' });
    const echo = (await client.listTools()).tools.find((t) => t.name === 'remote__echo');
    expect(Object.keys(echo?.inputSchema.properties ?? {})).toEqual(['words']);
    await subscription.close();
  });
});
