// Hardening toward clients, over real sockets: a client that never reads its response stream while
// an upstream floods it with log messages is cut once it holds a bounded amount, and its call is
// cancelled upstream, while another session carries on; connections are bounded (total, per
// address, a deadline for the first request, slow bodies); sessions are bounded per client, a
// session that never makes a request after initialize expires early, and calls in flight are
// capped per session.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { hostileStdioEntry } from './helpers/hostile.js';
import { waitFor } from './helpers/wait.js';

const MiB = 1024 * 1024;
let good: GatewayFixture;
let harness: GatewayHarness | undefined;
const sockets: Socket[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  good = await startGatewayFixture({ name: 'good' });
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await good?.close();
});

const initialize = (id = 1) => ({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(harness!.http.url, { method: 'POST', headers: { ...HEADERS, ...headers }, body: JSON.stringify(body) });
}

async function openSession(): Promise<string> {
  const res = await post(initialize());
  expect(res.status).toBe(200);
  await res.text();
  const id = res.headers.get('mcp-session-id')!;
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': id })).text();
  return id;
}

/** A raw TCP connection to the gateway, tracked for cleanup. */
function socket(): Promise<Socket> {
  const url = new URL(harness!.http.url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(url.port), url.hostname, () => resolve(s));
    s.on('error', reject);
    sockets.push(s);
  });
}

const closed = (s: Socket): Promise<void> => new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

describe('a client that never reads', () => {
  it('is cut once its stream holds the limit, its call is cancelled upstream, and other sessions carry on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-flood-'));
    dirs.push(dir);
    const record = join(dir, 'cancelled');
    const flood = hostileStdioEntry('flood');
    harness = await startGateway([{ name: 'good', transport: 'http', url: good.url }, { ...flood, args: [...(flood.args as string[]), '--record', record] }], {
      namespace: 'always',
      http: { maxBufferedBytesPerStream: 2 * MiB },
    });
    const session = await openSession();
    const rssBefore = process.memoryUsage().rss;
    // 20 000 log messages of 64 KB (1.3 GB) on the response stream of a call whose client reads nothing.
    const s = await socket();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'flood__log_flood', arguments: { count: 20_000, bytes: 64 * 1024 } } });
    s.pause();
    s.write(
      `POST ${new URL(harness.http.url).pathname} HTTP/1.1\r\nHost: ${new URL(harness.http.url).host}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n` +
        `mcp-protocol-version: 2025-06-18\r\nmcp-session-id: ${session}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const other = await harness.connect();
    expect(firstText(await other.callTool({ name: 'good__echo', arguments: { text: 'meanwhile' } }))).toBe('meanwhile');
    // The upstream was told to stop: its flood call was cancelled, not left to run to the end.
    // (Read from a file the upstream writes: another session's call would make it a shared process
    // whose log messages reach nobody, and the stream would never fill.)
    const cancelled = await waitFor(() => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n') : undefined), { what: 'the flood cancelled upstream', timeoutMs: 30_000 });
    expect(cancelled).toHaveLength(1);
    // The gateway cut the connection (a paused socket reports it once what arrived is read).
    s.resume();
    await closed(s);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * MiB);
    expect(firstText(await other.callTool({ name: 'good__echo', arguments: { text: 'after' } }))).toBe('after');
  }, 60_000);
});

describe('connection limits', () => {
  it('closes a connection that sends no request within the deadline, and one whose body never finishes', async () => {
    harness = await startGateway([{ name: 'good', transport: 'http', url: good.url }], { http: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
    const idle = await socket();
    const slow = await socket();
    let answer = '';
    slow.on('data', (d: Buffer) => (answer += d.toString()));
    slow.write(`POST /mcp HTTP/1.1\r\nHost: ${new URL(harness.http.url).host}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"jsonrpc"`);
    const started = Date.now();
    idle.resume(); // flowing, so the gateway's close is seen
    await Promise.all([closed(idle), closed(slow)]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    expect((await fetch(harness.http.url.replace('/mcp', '/healthz'))).status).toBe(200);
  });

  it('caps connections per address and in total, and serves again once they close', async () => {
    harness = await startGateway([{ name: 'good', transport: 'http', url: good.url }], { http: { maxConnectionsPerAddress: 5 } });
    const held = await Promise.all(Array.from({ length: 5 }, () => socket()));
    const extra = await socket();
    await closed(extra); // closed by the gateway at once
    await expect(fetch(harness.http.url.replace('/mcp', '/healthz'))).rejects.toThrow();
    for (const s of held) s.destroy();
    await waitFor(async () => (await fetch(harness!.http.url.replace('/mcp', '/healthz')).catch(() => undefined))?.status === 200, { what: '/healthz again' });
  });
});

describe('session limits', () => {
  it('caps sessions per client: its longest-idle session makes room, a busy one never does (then 429), other clients unaffected', async () => {
    const tokens = ['client-one-token-0000001', 'client-two-token-0000002'];
    harness = await startGateway([{ name: 'good', transport: 'http', url: good.url }], { http: { auth: { bearerTokens: tokens }, maxSessionsPerClient: 3 } });
    const as = (t: string, session?: string) => ({ authorization: `Bearer ${t}`, ...(session ? { 'mcp-session-id': session } : {}) });
    const open = async (t: string): Promise<string> => {
      const res = await post(initialize(), as(t));
      expect(res.status).toBe(200);
      await res.text();
      return res.headers.get('mcp-session-id')!;
    };
    const list = async (t: string, session: string): Promise<number> => {
      const res = await post({ jsonrpc: '2.0', id: 9, method: 'tools/list' }, as(t, session));
      await res.text();
      return res.status;
    };
    const streams: AbortController[] = [];
    const stream = async (t: string, session: string): Promise<void> => {
      const controller = new AbortController();
      streams.push(controller);
      const res = await fetch(harness!.http.url, { headers: { ...as(t, session), accept: 'text/event-stream', 'mcp-protocol-version': '2025-06-18' }, signal: controller.signal });
      expect(res.status).toBe(200); // held open, unread, until the test aborts it
    };
    try {
      const [one] = tokens as [string, string];
      const first = await open(one);
      await stream(one, first); // connected: never taken
      const second = await open(one);
      // A call in flight (the upstream's `hang` waits until cancelled): never taken either.
      const hanging = new AbortController();
      streams.push(hanging);
      const call = fetch(harness.http.url, {
        method: 'POST',
        headers: { ...HEADERS, ...as(one, second) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'hang', arguments: { tag: 'busy' } } }),
        signal: hanging.signal,
      }).catch(() => undefined);
      const third = await open(one);
      await waitFor(() => harness!.router.getPerformanceReport().services.good?.inFlight === 1, { what: 'the hang call to reach the upstream' });
      // The cap is reached: a fourth session takes the place of the one idle longest that is not busy.
      const fourth = await open(one);
      expect(harness.http.sessionCount).toBe(3);
      expect(await list(one, third)).toBe(404);
      for (const kept of [first, second, fourth]) expect(await list(one, kept)).toBe(200);
      // With every session of the client busy, a new one is refused, as before.
      await stream(one, fourth);
      const refused = await post(initialize(), as(one));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/Too many sessions for this client, all of them busy/);
      hanging.abort();
      await call;
      // Another client is not touched by either.
      await open(tokens[1]!);
      expect(harness.http.sessionCount).toBe(4);
      const metrics = await (await fetch(harness.http.url.replace('/mcp', '/metrics'), { headers: as(one) })).text();
      expect(metrics).toMatch(/^switchboard_gateway_sessions_evicted_total\{cap="maxSessionsPerClient"\} 1$/m);
    } finally {
      for (const c of streams) c.abort();
    }
  });

  it('at the global cap, takes the session idle longest once it has been idle a while, never a fresh one', async () => {
    harness = await startGateway([{ name: 'good', transport: 'http', url: good.url }], { http: { maxSessions: 3, unusedSessionIdleMs: 300, sessionIdleMs: 60_000 } });
    const sessions: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await openSession();
      const res = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': id });
      expect(res.status).toBe(200);
      await res.text();
      sessions.push(id);
    }
    // All three were just used: a flood of new sessions cannot push them out.
    const early = await post(initialize());
    await early.text();
    expect(early.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Now the one idle longest makes room.
    const newest = await openSession();
    expect(harness.http.sessionCount).toBe(3);
    const gone = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, { 'mcp-session-id': sessions[0]! });
    await gone.text();
    expect(gone.status).toBe(404);
    for (const kept of [sessions[1]!, sessions[2]!, newest]) {
      const res = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, { 'mcp-session-id': kept });
      await res.text();
      expect(res.status).toBe(200);
    }
  });

  it('expires a session that makes no request after initialize well before the idle timeout, and keeps one in use', async () => {
    harness = await startGateway([{ name: 'good', transport: 'http', url: good.url }], { http: { unusedSessionIdleMs: 200, sessionIdleMs: 60_000 } });
    const unused = await openSession();
    const used = await openSession();
    const call = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': used });
    expect(call.status).toBe(200);
    await call.text();
    expect(harness.http.sessionCount).toBe(2);
    await waitFor(() => harness!.http.sessionCount === 1, { what: 'the unused session to expire' });
    const gone = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, { 'mcp-session-id': unused });
    await gone.text();
    expect(gone.status).toBe(404);
    const still = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, { 'mcp-session-id': used });
    expect(still.status).toBe(200);
    await still.text();
  });

  it('caps the calls one session has in flight with 429, and takes more once they finish', async () => {
    harness = await startGateway([{ name: 'good', transport: 'http', url: good.url }], { http: { maxInFlightPerSession: 2 } });
    const session = await openSession();
    const hang = (id: number, tag: string) => post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'hang', arguments: { tag } } }, { 'mcp-session-id': session });
    const first = hang(10, 'a');
    const second = hang(11, 'b');
    await waitFor(() => good.started.includes('a') && good.started.includes('b'), { what: 'two calls in flight' });
    const third = await hang(12, 'c');
    expect(third.status).toBe(429);
    await third.text();
    // A cancelled call frees its slot and its POST ends (the spec sends no answer for it).
    for (const id of [10, 11]) await (await post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } }, { 'mcp-session-id': session })).text();
    await Promise.all([first, second].map(async (p) => (await p).text()));
    await waitFor(() => good.cancelled.includes('a') && good.cancelled.includes('b'), { what: 'both calls cancelled upstream' });
    const after = await post({ jsonrpc: '2.0', id: 13, method: 'tools/list' }, { 'mcp-session-id': session });
    expect(after.status).toBe(200);
    await after.text();
  });
});
