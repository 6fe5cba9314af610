// The gateway's own lane for a plain tools/call in a 2025 session (legacy-call-lane.ts) answers
// exactly as the SDK's Server does: each request is sent twice in one real HTTP session, once as
// the lane takes it and once with a harmless extra param, which the lane leaves to the Server, and
// the answers are compared. Upstreams: SDK v1 servers over HTTP and over a stdio pipe, and SDK v2
// modern-only (2026-07-28) servers over HTTP and stdio, whose calls the lane runs through the SDK
// Server's input-required seam (an input_required answer goes to the SDK's legacy shim).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LegacyCallLane } from '../packages/gateway/src/downstream/legacy-call-lane.js';
import { modernStdioFixtureEntry, startModernHttpFixture, stdioFixtureEntry, type ModernHttpFixture } from '@switchboard/testing/fixtures';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

let upstream: GatewayFixture;
let modern: ModernHttpFixture;
let harness: GatewayHarness;
let headers: Record<string, string>;

beforeAll(async () => {
  upstream = await startGatewayFixture({ name: 'remote' });
  modern = await startModernHttpFixture({ name: 'modern' });
  harness = await startGateway(
    [{ name: 'remote', transport: 'http', url: upstream.url }, stdioFixtureEntry('local', ['echo', 'fail']), { name: 'modern', transport: 'http', url: modern.url }, modernStdioFixtureEntry('piped')],
    { namespace: 'always' },
  );
  headers = await openSession({});
});

/** A raw 2025-11-25 session on the gateway declaring `capabilities`: the headers of its requests. */
async function openSession(capabilities: Record<string, unknown>): Promise<Record<string, string>> {
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(harness.http.url, {
    method: 'POST',
    headers: base,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities, clientInfo: { name: 'raw', version: '1' } } }),
  });
  await init.text();
  const session = { ...base, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
  await (await fetch(harness.http.url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  return session;
}

afterAll(async () => {
  await harness.close();
  await modern.close();
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

// Which tools/call requests the lane took (true) or left to the Server (false), by request id.
const taken = new Map<unknown, boolean>();
const intercept = LegacyCallLane.prototype.intercept;
vi.spyOn(LegacyCallLane.prototype, 'intercept').mockImplementation(function (this: LegacyCallLane, message) {
  const took = intercept.call(this, message);
  const m = message as { method?: string; id?: unknown };
  if (m.method === 'tools/call') taken.set(m.id, took);
  return took;
});

let nextId = 100;
/** The same call served by the lane and (with an extra param the lane does not take) by the SDK's Server. */
async function bothWays(name: string, args?: Record<string, unknown>): Promise<{ lane: Answer; server: Answer }> {
  const id = nextId++;
  const params = { name, ...(args ? { arguments: args } : {}) };
  const lane = await post({ jsonrpc: '2.0', id, method: 'tools/call', params });
  expect(taken.get(id)).toBe(true);
  const server = await post({ jsonrpc: '2.0', id, method: 'tools/call', params: { ...params, note: 'aside' } });
  expect(taken.get(id)).toBe(false);
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

  it('answers calls to 2026-07-28 upstreams (HTTP and stdio) exactly as the SDK Server does', async () => {
    await waitFor(() => harness.router.pool.state('modern')?.era === '2026' && harness.router.pool.state('piped')?.era === '2026');
    for (const name of ['modern__echo', 'piped__echo']) {
      const { lane, server } = await bothWays(name, { text: 'same' });
      expect(lane.status).toBe(200);
      expect(lane.messages[0]).toMatchObject({ result: { content: [{ type: 'text', text: expect.stringContaining('same') }] } });
      expect(lane).toEqual(server);
    }
  });

  it('answers a 2026-07-28 upstream\'s input_required as the Server does: this client declared no elicitation, so it is refused with -32021', async () => {
    for (const name of ['modern__confirm', 'piped__confirm']) {
      const { lane, server } = await bothWays(name, { what: 'deploy' });
      expect(lane.messages.at(-1)).toMatchObject({ error: { code: -32021, data: { requiredCapabilities: { elicitation: {} } } } });
      expect(lane).toEqual(server);
    }
  });

  it('fulfils a 2026-07-28 upstream\'s input_required through the SDK\'s legacy shim: the client is asked over its session, then gets one answer', async () => {
    // A second session, declaring elicitation; it answers each elicitation/create request by POST.
    const asking = await openSession({ elicitation: { form: {} } });
    const askedAndAnswered = async (params: Record<string, unknown>, id: number): Promise<{ asked: unknown[]; answer: unknown }> => {
      const res = await fetch(harness.http.url, { method: 'POST', headers: asking, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }) });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const asked: unknown[] = [];
      let answer: unknown;
      let buffered = '';
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) !== -1) {
          const data = buffered.slice(0, end).split('\n').find((l) => l.startsWith('data:'));
          buffered = buffered.slice(end + 2);
          if (!data) continue;
          const message = JSON.parse(data.slice(5)) as { id?: number | string; method?: string; params?: unknown };
          if (message.method === 'elicitation/create') {
            // The shim's request carries a progress token of the session's own count: set aside.
            const { _meta, ...params } = message.params as { _meta?: { progressToken?: unknown } };
            expect(_meta).toEqual({ progressToken: expect.any(Number) });
            asked.push(params);
            await (await fetch(harness.http.url, { method: 'POST', headers: asking, body: JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { action: 'accept', content: { ok: true } } }) })).text();
          } else if (message.id === id) answer = message;
        }
      }
      return { asked, answer };
    };
    for (const name of ['modern__confirm', 'piped__confirm']) {
      const id = nextId++;
      const lane = await askedAndAnswered({ name, arguments: { what: 'ship' } }, id);
      expect(taken.get(id)).toBe(true);
      const server = await askedAndAnswered({ name, arguments: { what: 'ship' }, note: 'aside' }, id);
      expect(taken.get(id)).toBe(false);
      const upstreamName = name.split('__')[0];
      expect(lane.asked).toEqual([{ mode: 'form', message: `${upstreamName} asks: ship?`, requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } }]);
      expect(lane.answer).toEqual({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: `${upstreamName}: ship confirmed (state ${upstreamName}-state-for-ship)` }] } });
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
