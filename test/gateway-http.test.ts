// The gateway's HTTP surface: sessions issued, checked, deleted and expired; bad input answered
// with JSON-RPC errors or HTTP statuses without disturbing other sessions; auth, Host/Origin
// guards; health, readiness, metrics and the services report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

let upstream: GatewayFixture;
let harness: GatewayHarness;
const TOKEN = 'secret-token-1';

beforeAll(async () => {
  upstream = await startGatewayFixture({ name: 'up' });
  harness = await startGateway([{ name: 'up', transport: 'http', url: upstream.url }], {
    http: { auth: { bearerTokens: [TOKEN], apiKeys: ['key-2'] }, maxBodyBytes: 64 * 1024, sessionIdleMs: 300 },
  });
});

afterAll(async () => {
  await harness?.close();
  await upstream?.close();
});

const auth = { authorization: `Bearer ${TOKEN}` };
const mcpHeaders = { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(harness.http.url, { method: 'POST', headers: { ...mcpHeaders, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** Reads a JSON or single-event SSE response body as the JSON-RPC message in it. */
async function message(res: Response): Promise<{ id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } }> {
  const text = await res.text();
  const data = res.headers.get('content-type')?.includes('text/event-stream') ? text.split('\n').find((l) => l.startsWith('data: '))!.slice(6) : text;
  return JSON.parse(data) as never;
}

async function rawSession(): Promise<string> {
  const res = await post(initialize);
  expect(res.status).toBe(200);
  await res.text();
  const id = res.headers.get('mcp-session-id');
  expect(id).toBeTruthy();
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': id!, 'mcp-protocol-version': '2025-06-18' });
  return id!;
}

describe('gateway over HTTP', () => {
  it('serves an authenticated SDK client and never forwards its credentials upstream', async () => {
    const client = await harness.connect({}, auth);
    expect(firstText(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
    const apiKeyClient = await harness.connect({}, { 'x-api-key': 'key-2' });
    expect(firstText(await apiKeyClient.callTool({ name: 'whoami' }))).toBe('up');
    expect(upstream.headers.length).toBeGreaterThan(0);
    for (const h of upstream.headers) {
      expect(h.authorization).toBeUndefined();
      expect(h['x-api-key']).toBeUndefined();
    }
  });

  it('answers an unknown tool or prompt with the error message once, not prefixed twice', async () => {
    const session = await rawSession();
    const h = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
    const tool = await message(await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'nope' } }, h));
    expect(tool.error).toEqual({ code: -32602, message: 'Unknown tool: nope' });
    const prompt = await message(await post({ jsonrpc: '2.0', id: 3, method: 'prompts/get', params: { name: 'nope' } }, h));
    expect(prompt.error).toEqual({ code: -32602, message: 'Unknown prompt: nope' });
    const client = await harness.connect({}, auth);
    await expect(client.callTool({ name: 'nope' })).rejects.toThrow(/^MCP error -32602: Unknown tool: nope$/);
  });

  it('answers 401 with no detail without credentials or with wrong ones', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { 'x-api-key': 'nope' }] as Record<string, string>[]) {
      const res = await fetch(harness.http.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(initialize) });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('');
    }
    expect((await fetch(harness.http.url.replace('/mcp', '/metrics'))).status).toBe(401);
  });

  it('rejects a foreign Host or Origin (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(harness.http.url, { method: 'POST', headers: { ...mcpHeaders, ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(JSON.stringify(initialize));
      });
    expect(await status({ host: 'evil.example:80' })).toBe(403);
    expect(await status({ origin: 'http://evil.example' })).toBe(403);
    expect(await status({ origin: `http://localhost:${harness.http.port}` })).toBe(200);
  });

  it('answers bad input with JSON-RPC errors and keeps other sessions working', async () => {
    const client = await harness.connect({}, auth);
    const malformed = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(malformed.status).toBe(400);
    expect((await message(malformed)).error?.code).toBe(-32700);

    const noSession = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(noSession.status).toBe(400);
    expect((await message(noSession)).error?.code).toBe(-32000);

    const unknown = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, { 'mcp-session-id': 'no-such-session' });
    expect(unknown.status).toBe(404);
    expect((await message(unknown)).error?.code).toBe(-32001);

    const big = await post({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x'.repeat(100_000) } } });
    expect(big.status).toBe(413);

    const id = await rawSession();
    const session = { 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' };
    const wrongShape = await post({ jsonrpc: '1.0', hello: 'world' }, session);
    expect(wrongShape.status).toBe(400);
    expect((await message(wrongShape)).error?.code).toBe(-32600);

    const unknownMethod = await message(await post({ jsonrpc: '2.0', id: 5, method: 'no/such_method' }, session));
    expect(unknownMethod.error?.code).toBe(-32601);

    const unknownTool = await message(await post({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'nope', arguments: {} } }, session));
    expect(unknownTool.error?.code).toBe(-32602);
    expect(unknownTool.error?.message).toContain('Unknown tool: nope');

    const badArgs = await message(await post({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { text: 42 } } }, session));
    expect(JSON.stringify(badArgs)).toMatch(/error|isError/);

    const good = await message(await post({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'echo', arguments: { text: 'still fine' } } }, session));
    expect(JSON.stringify(good.result)).toContain('still fine');
    expect(firstText(await client.callTool({ name: 'echo', arguments: { text: 'other session' } }))).toBe('other session');
  });

  it('ends a session on DELETE and expires idle ones', async () => {
    const id = await rawSession();
    const del = await fetch(harness.http.url, { method: 'DELETE', headers: { ...auth, 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' } });
    expect(del.status).toBe(200);
    const after = await post({ jsonrpc: '2.0', id: 9, method: 'tools/list' }, { 'mcp-session-id': id });
    expect(after.status).toBe(404);

    const idle = await rawSession(); // sessionIdleMs is 300 in this suite
    // Poll without touching the session (a request would keep it alive). Every session of this
    // suite is idle by now, so all of them must go.
    await waitFor(() => harness.http.sessionCount === 0, { what: 'idle sessions expired' });
    const gone = await post({ jsonrpc: '2.0', id: 11, method: 'ping' }, { 'mcp-session-id': idle, 'mcp-protocol-version': '2025-06-18' });
    expect(gone.status).toBe(404);
  });

  it('serves /healthz, /readyz, /metrics and /services', async () => {
    const base = harness.http.url.replace('/mcp', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: 'ready' });
    const client = await harness.connect({}, auth);
    await client.callTool({ name: 'whoami' });
    const metrics = await (await fetch(`${base}/metrics`, { headers: auth })).text();
    expect(metrics).toMatch(/switchboard_gateway_requests_total\{method="tools\/call",service="up",tool="whoami",era="2025"\} [1-9]/);
    expect(metrics).toContain('switchboard_gateway_request_duration_seconds_bucket{method="tools/call",service="up",tool="whoami",era="2025",le="+Inf"}');
    expect(metrics).toContain('switchboard_services_discovered 1');
    expect(metrics).toContain('switchboard_service_breaker_state{service="up",state="closed"} 1');
    expect(metrics).toMatch(/switchboard_gateway_failovers_total|switchboard_router_failovers_total 0/);
    const services = (await (await fetch(`${base}/services`, { headers: auth })).json()) as { services: Array<{ name: string; health: { status: string }; stats: { totalRequests: number } }> };
    expect(services.services[0]).toMatchObject({ name: 'up', health: { status: 'healthy' } });
    expect(services.services[0]!.stats.totalRequests).toBeGreaterThan(0);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
