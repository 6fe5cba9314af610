// The gateway's own lane for a plain tools/call in a 2025 session (legacy-call-lane.ts) answers
// exactly as the SDK's Server does: each request is sent twice in one real HTTP session, once as
// the lane takes it and once with a harmless extra param, which the lane leaves to the Server, and
// the answers are compared. Upstreams: SDK v1 servers over HTTP and over a stdio pipe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

let upstream: GatewayFixture;
let harness: GatewayHarness;
let headers: Record<string, string>;

beforeAll(async () => {
  upstream = await startGatewayFixture({ name: 'remote' });
  harness = await startGateway([{ name: 'remote', transport: 'http', url: upstream.url }, stdioFixtureEntry('local', ['echo', 'fail'])], { namespace: 'always' });
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(harness.http.url, {
    method: 'POST',
    headers: base,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  await init.text();
  headers = { ...base, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
  await (await fetch(harness.http.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

interface Answer {
  status: number;
  contentType: string;
  messages: Record<string, unknown>[];
}

async function post(body: unknown, signal?: AbortSignal): Promise<Answer> {
  const res = await fetch(harness.http.url, { method: 'POST', headers, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  const messages = contentType.startsWith('text/event-stream')
    ? text.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>)
    : text
      ? [JSON.parse(text) as Record<string, unknown>]
      : [];
  return { status: res.status, contentType, messages };
}

let nextId = 100;
/** The same call served by the lane and (with an extra param the lane does not take) by the SDK's Server. */
async function bothWays(name: string, args?: Record<string, unknown>): Promise<{ lane: Answer; server: Answer }> {
  const id = nextId++;
  const params = { name, ...(args ? { arguments: args } : {}) };
  const lane = await post({ jsonrpc: '2.0', id, method: 'tools/call', params });
  const server = await post({ jsonrpc: '2.0', id, method: 'tools/call', params: { ...params, note: 'aside' } });
  return { lane, server };
}

describe('the 2025 session tools/call lane', () => {
  it('answers calls to HTTP and stdio upstreams exactly as the SDK Server does', async () => {
    // The lane takes calls to tools whose upstreams are known to speak 2025-11-25 (see its unit test).
    expect(harness.router.pool.state('remote')?.era).toBe('2025');
    expect(harness.router.pool.state('local')?.era).toBe('2025');
    for (const name of ['remote__echo', 'local__echo']) {
      const { lane, server } = await bothWays(name, { text: 'same' });
      expect(lane.status).toBe(200);
      expect(lane.messages[0]).toMatchObject({ result: { content: [{ type: 'text', text: 'same' }] } });
      expect(lane).toEqual(server);
    }
  });

  it('answers errors the same way: an unknown tool, a tool error, arguments the upstream refuses', async () => {
    for (const [name, args] of [['nobody__here', { text: 'x' }], ['local__fail', undefined], ['remote__echo', { text: 42 }]] as const) {
      const { lane, server } = await bothWays(name, args);
      expect(lane).toEqual(server);
    }
    const unknown = await bothWays('nobody__here');
    expect(unknown.lane.messages[0]).toMatchObject({ error: { code: -32602, message: 'Unknown tool: nobody__here' } });
  });

  it('stops a call the client cancels: the upstream is told, and no answer comes', async () => {
    const id = nextId++;
    const pending = post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'remote__hang', arguments: { tag: 'legacy-lane-cancel' } } });
    await waitFor(() => upstream.started.includes('legacy-lane-cancel'));
    const ack = await post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'changed my mind' } });
    expect(ack.status).toBe(202);
    await waitFor(() => upstream.cancelled.includes('legacy-lane-cancel'));
    const answer = await pending;
    expect(answer.messages.filter((m) => m.id === id)).toEqual([]);
  });
});
