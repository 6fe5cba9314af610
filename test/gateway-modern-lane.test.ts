// The gateway's own lane for a first-round 2026-07-28 tools/call (modern-call-lane.ts) answers
// exactly as the SDK's entry does: each request below is sent twice over real HTTP, once as the lane
// takes it and once with a harmless extra param, which sends it to the SDK's entry, and the answers
// are compared. Upstreams: a 2026-07-28 server over HTTP and one over a stdio pipe (SDK v2), and a
// 2025 server (SDK v1) over HTTP.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { modernStdioFixtureEntry, startModernHttpFixture, stdioFixtureEntry, type ModernHttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laneCall } from '../packages/gateway/src/downstream/modern-call-lane.js';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

let modernHttp: ModernHttpFixture;
let legacyHttp: GatewayFixture;
let harness: GatewayHarness;

beforeAll(async () => {
  modernHttp = await startModernHttpFixture({ name: 'm-http' });
  legacyHttp = await startGatewayFixture({ name: 'legacy' });
  harness = await startGateway([{ name: 'm-http', transport: 'http', url: modernHttp.url }, modernStdioFixtureEntry('m-stdio'), { name: 'legacy', transport: 'http', url: legacyHttp.url }, stdioFixtureEntry('failing', ['fail'])], {
    namespace: 'always',
  });
});

afterAll(async () => {
  await harness.close();
  await legacyHttp.close();
  await modernHttp.close();
});

const SERVER_INFO = 'io.modelcontextprotocol/serverInfo';

function envelope(capabilities: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': capabilities, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, ...extra };
}

function headersFor(name: string): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name };
}

interface Answer {
  status: number;
  contentType: string;
  /** Every JSON-RPC message of the answer, in order (one for a JSON answer). */
  messages: Record<string, unknown>[];
}

async function post(headers: Record<string, string>, body: unknown, url = harness.http.url): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  const messages = contentType.startsWith('text/event-stream')
    ? text.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>)
    : [JSON.parse(text) as Record<string, unknown>];
  return { status: res.status, contentType, messages };
}

/** A sealed requestState differs per answer (fresh nonce): compare its presence, not its bytes. */
function comparable(answer: Answer): Answer {
  return JSON.parse(JSON.stringify(answer).replace(/"requestState":"[^"]+"/g, '"requestState":"<sealed>"')) as Answer;
}

/** The same call served by the lane and by the SDK's entry. */
async function bothWays(name: string, args: Record<string, unknown> | undefined, meta = envelope()): Promise<{ lane: Answer; entry: Answer }> {
  const headers = headersFor(name);
  const body = { jsonrpc: '2.0', id: 41, method: 'tools/call', params: { name, ...(args ? { arguments: args } : {}), _meta: meta } };
  // An unknown param: the SDK's entry accepts and ignores it, the lane leaves the request to the entry.
  const aside = { ...body, params: { ...body.params, note: 'aside' } };
  expect(laneCall(headers, body)).toBeDefined();
  expect(laneCall(headers, aside)).toBeUndefined();
  const [lane, entry] = await Promise.all([post(headers, body), post(headers, aside)]);
  return { lane, entry };
}

describe('the 2026-07-28 tools/call lane', () => {
  it('answers a call of every kind of upstream exactly as the SDK entry does', async () => {
    for (const name of ['m-http__echo', 'm-stdio__echo', 'legacy__echo']) {
      const { lane, entry } = await bothWays(name, { text: 'same' });
      expect(lane.status).toBe(200);
      expect(lane.contentType).toMatch(/^application\/json/);
      expect(lane.messages[0]).toMatchObject({ id: 41, result: { resultType: 'complete', content: [{ type: 'text' }] } });
      expect(lane).toEqual(entry);
    }
  });

  it('answers errors the same way: an unknown tool, a tool error, bad arguments (in band, on HTTP 200)', async () => {
    const unknown = await bothWays('nobody__here', { text: 'x' });
    expect(unknown.lane).toEqual(unknown.entry);
    expect(unknown.lane.messages[0]).toMatchObject({ error: { code: -32602, message: 'Unknown tool: nobody__here' } });
    const failed = await bothWays('failing__fail', undefined);
    expect(failed.lane).toEqual(failed.entry);
    expect(failed.lane.messages[0]).toMatchObject({ result: { isError: true } });
    const invalid = await bothWays('m-http__echo', { text: 42 });
    expect(invalid.lane).toEqual(invalid.entry);
    expect(invalid.lane.status).toBe(200);
  });

  it('relays an input_required round as the entry does, and its retry (which the entry serves) completes it', async () => {
    const asks = await bothWays('m-http__confirm', { what: 'deploy' }, envelope({ elicitation: {} }));
    expect(comparable(asks.lane)).toEqual(comparable(asks.entry));
    const round = asks.lane.messages[0]!.result as { resultType: string; inputRequests: Record<string, unknown>; requestState: string };
    expect(round.resultType).toBe('input_required');
    expect(Object.keys(round.inputRequests)).toEqual(['ok']);
    const retry = await post(headersFor('m-http__confirm'), {
      jsonrpc: '2.0',
      id: 42,
      method: 'tools/call',
      params: { name: 'm-http__confirm', arguments: { what: 'deploy' }, inputResponses: { ok: { action: 'accept', content: { ok: true } } }, requestState: round.requestState, _meta: envelope({ elicitation: {} }) },
    });
    expect(retry.messages[0]).toMatchObject({ id: 42, result: { resultType: 'complete' } });
  });

  it('streams what the upstream sends before the result (a log line at the level the request names), then the result', async () => {
    // Each way on a gateway and an upstream of its own, used by this request alone, so neither
    // answer depends on what the other left behind.
    const answers: Answer[] = [];
    for (const aside of [false, true]) {
      const upstream = await startModernHttpFixture({ name: 'm-log' });
      const gateway = await startGateway([{ name: 'm-log', transport: 'http', url: upstream.url }], { namespace: 'always' });
      try {
        const headers = headersFor('m-log__log');
        const params = { name: 'm-log__log', arguments: { message: 'note' }, _meta: envelope({}, { 'io.modelcontextprotocol/logLevel': 'info' }), ...(aside ? { note: 'aside' } : {}) };
        const body = { jsonrpc: '2.0', id: 43, method: 'tools/call', params };
        expect(laneCall(headers, body) === undefined).toBe(aside);
        answers.push(await post(headers, body, gateway.http.url));
      } finally {
        await gateway.close();
        await upstream.close();
      }
    }
    const [lane, entry] = answers as [Answer, Answer];
    expect(lane.contentType).toMatch(/^text\/event-stream/);
    expect(lane.messages.map((m) => m.method ?? 'result')).toEqual(['notifications/message', 'result']);
    expect(lane.messages[0]).toMatchObject({ params: { level: 'info', data: 'm-log: note' } });
    expect(lane).toEqual(entry);
  });

  it('delivers each call its own log lines from a shared upstream that many requests have used, with two in flight', async () => {
    // Every 2026-07-28 request is a session of its own: tenancy alone would drop these (the
    // connection has served many); the lines come back on each call's own upstream stream.
    const send = (message: string) =>
      post(headersFor('m-http__log'), { jsonrpc: '2.0', id: message, method: 'tools/call', params: { name: 'm-http__log', arguments: { message }, _meta: envelope({}, { 'io.modelcontextprotocol/logLevel': 'info' }) } });
    const [first, second] = await Promise.all([send('first'), send('second')]);
    for (const [answer, word] of [[first, 'first'], [second, 'second']] as const) {
      expect(answer.messages.map((m) => m.method ?? 'result')).toEqual(['notifications/message', 'result']);
      expect(answer.messages[0]).toMatchObject({ params: { level: 'info', data: `m-http: ${word}` } });
    }
  });

  it('abandons the call upstream when the client goes away before its answer', async () => {
    const controller = new AbortController();
    const headers = headersFor('legacy__hang');
    const body = { jsonrpc: '2.0', id: 44, method: 'tools/call', params: { name: 'legacy__hang', arguments: { tag: 'lane-gone' }, _meta: envelope() } };
    expect(laneCall(headers, body)).toBeDefined();
    const sent = fetch(harness.http.url, { method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal }).catch(() => undefined);
    await waitFor(() => legacyHttp.started.includes('lane-gone'));
    controller.abort();
    await sent;
    await waitFor(() => legacyHttp.cancelled.includes('lane-gone'));
  });
});

describe('2026-07-28 results', () => {
  it('name the gateway as the server that produced them, never the upstream behind it', async () => {
    const client = new ModernClient({ name: 'modern-client', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new ModernHttpTransport(new URL(harness.http.url)));
    try {
      const called = await client.callTool({ name: 'm-http__echo', arguments: { text: 'who' } });
      expect(called._meta?.[SERVER_INFO]).toEqual({ name: 'switchboard', version: expect.any(String) });
      // resources/read and prompts/get go through the SDK's entry: the same holds there.
      const read = await client.readResource({ uri: 'fixture://m-stdio/readme' });
      expect(read._meta?.[SERVER_INFO]).toMatchObject({ name: 'switchboard' });
      const prompt = await client.getPrompt({ name: 'm-http__greet', arguments: { who: 'ada' } });
      expect(prompt._meta?.[SERVER_INFO]).toMatchObject({ name: 'switchboard' });
    } finally {
      await client.close();
    }
  });
});
