// The gateway's own Streamable HTTP server transport, over real sockets: plain JSON when only the
// response is sent, SSE when something must go first or the call runs long, batches, the standalone
// stream, and a session resumed from a replayed initialize. Also the session token's seal.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpSessionTransport, type HttpSessionTransportOptions } from '../src/downstream/http-session-transport.js';
import { checkWire } from '../src/downstream/jsonrpc-wire.js';
import { SessionTokens } from '../src/downstream/session-token.js';

interface Rig {
  url: string;
  transport: HttpSessionTransport;
  server: Server;
  http: HttpServer;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.transport.close();
    r.http.closeAllConnections();
    await new Promise<void>((resolve) => r.http.close(() => resolve()));
  }
});

/** One SDK Server on one HttpSessionTransport behind a node:http server on loopback. */
async function rig(keepAliveMs = 15_000, tagging: Partial<Pick<HttpSessionTransportOptions, 'instanceTag' | 'onForeignAnswer'>> = {}): Promise<Rig> {
  const transport = new HttpSessionTransport({ sessionId: 'session-1', keepAliveMs, ...tagging });
  const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {}, logging: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const args = request.params.arguments ?? {};
    if (typeof args.waitMs === 'number') await new Promise((r) => setTimeout(r, args.waitMs as number));
    if (args.log) await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: 'working' } });
    return { content: [{ type: 'text', text: `caps=${JSON.stringify(server.getClientCapabilities() ?? null)}` }] };
  });
  await server.connect(transport);
  const http = createServer((req, res) => {
    if (req.method === 'GET') return transport.handleGet(req, res);
    if (req.method === 'DELETE') return void transport.handleDelete(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const checked = checkWire(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      if (!checked.ok) return void res.writeHead(400).end(checked.message);
      transport.handlePost(req, res, checked.messages, checked.batch);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const r = { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`, transport, server, http };
  rigs.push(r);
  return r;
}

const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': 'session-1' };
const initParams = { protocolVersion: '2025-06-18', capabilities: { sampling: {} }, clientInfo: { name: 'c', version: '1' } };
const call = (id: number, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 't', arguments: args } });

async function post(url: string, body: unknown): Promise<{ type: string; text: string; status: number; session: string | null; length: string | null; chunked: boolean }> {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  const meta = { length: res.headers.get('content-length'), chunked: res.headers.get('transfer-encoding') === 'chunked' };
  return { type: res.headers.get('content-type') ?? '', text, status: res.status, session: res.headers.get('mcp-session-id'), ...meta };
}

describe('HttpSessionTransport', () => {
  it('answers with plain JSON when the response is all there is', async () => {
    const r = await rig();
    await r.transport.replayInitialize(initParams);
    const res = await post(r.url, call(1, {}));
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json');
    expect(res.session).toBe('session-1');
    expect(JSON.parse(res.text)).toMatchObject({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text' }] } });
    // Its length, not chunked framing: headers and body leave in one write, and the client reads no chunk lines.
    expect(res.chunked).toBe(false);
    expect(res.length).toBe(String(Buffer.byteLength(res.text)));
  });

  it('switches to SSE when a notification must go before the response, keeping their order', async () => {
    const r = await rig();
    await r.transport.replayInitialize(initParams);
    const res = await post(r.url, call(2, { log: true }));
    expect(res.type).toBe('text/event-stream');
    const events = res.text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as { method?: string; id?: number });
    expect(events.map((e) => e.method ?? `response ${e.id}`)).toEqual(['notifications/message', 'response 2']);
  });

  it('switches to SSE with keep-alives when a call runs longer than the keep-alive interval', async () => {
    const r = await rig(40);
    await r.transport.replayInitialize(initParams);
    const res = await post(r.url, call(3, { waitMs: 200 }));
    expect(res.type).toBe('text/event-stream');
    expect(res.text).toContain(': keepalive\n\n');
    expect(res.text).toContain('"id":3');
  });

  it('answers a batch with an array of its responses, and notifications alone with 202', async () => {
    const r = await rig();
    await r.transport.replayInitialize(initParams);
    const res = await post(r.url, [call(4, {}), { jsonrpc: '2.0', id: 5, method: 'tools/list' }, { jsonrpc: '2.0', method: 'notifications/roots/list_changed' }]);
    expect(res.type).toBe('application/json');
    const body = JSON.parse(res.text) as Array<{ id: number }>;
    expect(body.map((m) => m.id).sort()).toEqual([4, 5]);
    expect((await post(r.url, { jsonrpc: '2.0', method: 'notifications/roots/list_changed' })).status).toBe(202);
  });

  it('gives the Server the replayed client capabilities, and swallows the replayed answer', async () => {
    const r = await rig();
    await r.transport.replayInitialize(initParams);
    expect(r.server.getClientCapabilities()).toEqual({ sampling: {} });
    expect(r.server.getClientVersion()).toEqual({ name: 'c', version: '1' });
    const res = await post(r.url, call(6, {}));
    expect(JSON.parse(res.text).result.content[0].text).toBe('caps={"sampling":{}}');
  });

  it('sends messages outside any request on the standalone stream, and allows only one', async () => {
    const r = await rig();
    await r.transport.replayInitialize(initParams);
    const controller = new AbortController();
    const stream = await fetch(r.url, { headers: { ...headers, accept: 'text/event-stream' }, signal: controller.signal });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect((await fetch(r.url, { headers: { ...headers, accept: 'text/event-stream' } })).status).toBe(409);
    await r.server.sendToolListChanged();
    const reader = stream.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('notifications/tools/list_changed');
    controller.abort();
  });

  it('tags its requests to the client, hands answers tagged for another instance to onForeignAnswer, and tags its cancellations', async () => {
    const foreign: Array<[string, unknown]> = [];
    const r = await rig(15_000, { instanceTag: 'me', onForeignAnswer: (tag, answer) => void foreign.push([tag, answer]) });
    await r.transport.replayInitialize(initParams);
    const controller = new AbortController();
    const stream = await fetch(r.url, { headers: { ...headers, accept: 'text/event-stream' }, signal: controller.signal });
    const reader = stream.body!.getReader();
    let seen = '';
    const until = async (text: string): Promise<void> => {
      while (!seen.includes(text)) seen += new TextDecoder().decode((await reader.read()).value);
    };
    const asked = r.server.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 }, { timeout: 150 });
    const settled = asked.then(() => 'answered', () => 'timed out');
    await until('"id":"me~0"');
    const other = { jsonrpc: '2.0', id: 'other~0', result: { role: 'assistant', model: 'm', content: { type: 'text', text: 'not yours' } } };
    expect((await post(r.url, other)).status).toBe(202);
    expect(foreign).toEqual([['other', other]]);
    // Not answered here: the Server gives up and says so with the id the client knows.
    expect(await settled).toBe('timed out');
    await until('notifications/cancelled');
    expect(seen).toContain('"requestId":"me~0"');
    controller.abort();
  });

  it('refuses a request id already in flight, and keeps serving the first request', async () => {
    const r = await rig();
    await r.transport.replayInitialize(initParams);
    const first = post(r.url, call(9, { waitMs: 150 }));
    await new Promise((resolve) => setTimeout(resolve, 30)); // the first POST is in
    const again = await post(r.url, call(9, {}));
    expect(again.status).toBe(400);
    expect(again.text).toContain('request id 9 is already in use');
    const batch = await post(r.url, [call(10, {}), call(10, {})]);
    expect(batch.status).toBe(400);
    const answered = await first;
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text).id).toBe(9);
  });

  it('answers 404 once the session has ended', async () => {
    const r = await rig();
    await r.transport.replayInitialize(initParams);
    expect((await fetch(r.url, { method: 'DELETE', headers })).status).toBe(200);
    const after = await post(r.url, call(11, {}));
    expect(after.status).toBe(404);
    expect(JSON.parse(after.text).error.code).toBe(-32001);
  });

  it('refuses a POST that does not accept both JSON and SSE, and an unknown protocol version', async () => {
    const r = await rig();
    const notAcceptable = await fetch(r.url, { method: 'POST', headers: { ...headers, accept: 'application/json' }, body: JSON.stringify(call(7, {})) });
    expect(notAcceptable.status).toBe(406);
    const badVersion = await fetch(r.url, { method: 'POST', headers: { ...headers, 'mcp-protocol-version': '1999-01-01' }, body: JSON.stringify(call(8, {})) });
    expect(badVersion.status).toBe(400);
    expect(await badVersion.text()).toContain('Unsupported protocol version: 1999-01-01');
  });
});

describe('checkWire', () => {
  it('says what is wrong with a message and where', () => {
    expect(checkWire({ jsonrpc: '2.0', id: 1, method: 'ping' })).toMatchObject({ ok: true, batch: false });
    expect(checkWire({ jsonrpc: '1.0', id: 1, method: 'ping' })).toEqual({ ok: false, message: 'Invalid Request: message.jsonrpc must be "2.0"' });
    expect(checkWire([{ jsonrpc: '2.0', method: 'a' }, { jsonrpc: '2.0', id: {}, method: 'b' }])).toEqual({ ok: false, message: 'Invalid Request: message[1].id must be a string or a number' });
    expect(checkWire({ jsonrpc: '2.0', id: 1, result: 3 })).toEqual({ ok: false, message: 'Invalid Request: message.result must be an object' });
    expect(checkWire([])).toEqual({ ok: false, message: 'Invalid Request: empty batch' });
    expect(checkWire({ jsonrpc: '2.0', id: 2, error: { code: -1, message: 'x' } })).toMatchObject({ ok: true });
  });
});

describe('SessionTokens', () => {
  const secret = 'a-session-secret-of-at-least-32-characters';
  const seed = { protocolVersion: '2025-06-18', capabilities: { roots: { listChanged: true } }, clientInfo: { name: 'c', version: '1' }, cred: 'bearer:abc' };

  it('opens what it sealed, and the token does not show what it carries', () => {
    const tokens = new SessionTokens({ secrets: [secret] });
    const { token, seed: sealed } = tokens.issue(seed);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('roots');
    expect(new SessionTokens({ secrets: [secret] }).open(token)).toEqual(sealed);
    expect(tokens.issue(seed).token).not.toBe(token); // fresh IV and sid every time
  });

  it('refuses tokens that are too old, altered, truncated, or from another secret', () => {
    const tokens = new SessionTokens({ secrets: [secret], maxAgeMs: 1000 });
    const { token } = tokens.issue(seed, 10_000);
    expect(tokens.open(token, 10_500)).toBeDefined();
    expect(tokens.open(token, 11_001)).toBeUndefined();
    const raw = Buffer.from(token, 'base64url');
    raw[20] = raw[20]! ^ 1;
    expect(tokens.open(raw.toString('base64url'), 10_500)).toBeUndefined();
    expect(tokens.open(token.slice(0, -4), 10_500)).toBeUndefined();
    expect(tokens.open('not a token!', 10_500)).toBeUndefined();
    expect(new SessionTokens({ secrets: ['another-secret-also-32-characters-long'] }).open(token, 10_500)).toBeUndefined();
  });

  it('refuses a short secret with an error that names the setting', () => {
    expect(() => new SessionTokens({ secrets: ['short'] })).toThrow(/gateway\.sessionSecret\[0\].*at least 32 characters/);
  });
});
