// NodeHttpClientTransport against a scripted node:http server on 127.0.0.1: the wire format it sends,
// the answers it understands (JSON, SSE in pieces, cut-off streams, errors), the standalone GET
// stream, and that it leaves nothing open.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { spawn } from 'node:child_process';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import {
  isJSONRPCRequest,
  LATEST_PROTOCOL_VERSION,
  LoggingMessageNotificationSchema,
  McpError,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { isConnectionFailure, isUpstreamSessionLost, linkFaultOf, provesNotDelivered, silentLogger, SwitchboardError } from '@switchboard/core';
import { waitUntil } from '@switchboard/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamableHttpWithSseFallback } from '../src/fallback-transport.js';
import { NodeHttpClientTransport, type NodeHttpClientOptions } from '../src/node-http-client-transport.js';

const SESSION = 'session-1';
const TIMEOUT = { timeout: 10_000 };

interface Seen {
  method: string;
  headers: IncomingHttpHeaders;
  body: JSONRPCMessage | undefined;
}

interface Script {
  /** A request other than initialize; notifications get 202 without asking. */
  onRequest?: (request: JSONRPCRequest, res: ServerResponse) => void;
  /** The standalone GET stream; default 405 (no stream offered). */
  onGet?: (req: IncomingMessage, res: ServerResponse) => void;
  onDelete?: (res: ServerResponse) => void;
}

interface TestServer {
  url: URL;
  seen: Seen[];
  /** TCP connections accepted so far. */
  connections: number;
  open: Set<Socket>;
  close(): Promise<void>;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A minimal Streamable HTTP server: initialize answered as JSON with a session id, the rest scripted. */
async function startServer(script: Script = {}): Promise<TestServer> {
  const seen: Seen[] = [];
  const open = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? (JSON.parse(text) as JSONRPCMessage) : undefined;
      seen.push({ method: req.method ?? '', headers: req.headers, body });
      if (req.method === 'GET') return script.onGet ? script.onGet(req, res) : void res.writeHead(405).end();
      if (req.method === 'DELETE') return script.onDelete ? script.onDelete(res) : void res.writeHead(200).end();
      if (!body || !isJSONRPCRequest(body)) return void res.writeHead(202).end(); // notifications, responses
      if (body.method === 'initialize') {
        const result = { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: { tools: {}, logging: {} }, serverInfo: { name: 'scripted', version: '1' } };
        res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': SESSION });
        return void res.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result }));
      }
      if (script.onRequest) return script.onRequest(body, res);
      res.writeHead(500).end('no script');
    });
  });
  const state: TestServer = {
    url: new URL('http://127.0.0.1/mcp'),
    seen,
    connections: 0,
    open,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', (socket: Socket) => {
    state.connections++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  cleanups.push(() => state.close());
  return state;
}

function transportFor(server: TestServer, options: Partial<NodeHttpClientOptions> = {}): NodeHttpClientTransport {
  const transport = new NodeHttpClientTransport({ url: server.url, ...options });
  cleanups.push(() => transport.close());
  return transport;
}

async function connectClient(transport: NodeHttpClientTransport): Promise<Client> {
  const client = new Client({ name: 'test', version: '1' });
  cleanups.push(() => client.close());
  await client.connect(transport, TIMEOUT);
  return client;
}

const text = (t: string) => ({ content: [{ type: 'text', text: t }] });
const json = (res: ServerResponse, value: unknown): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
const sseHead = (res: ServerResponse): void => void res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
const echo = (request: JSONRPCRequest, res: ServerResponse): void =>
  json(res, { jsonrpc: '2.0', id: request.id, result: text(String((request.params?.arguments as { text?: string } | undefined)?.text)) });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('NodeHttpClientTransport', () => {
  it('(a) JSON answers; sends session id, protocol version, static headers and content negotiation', async () => {
    const server = await startServer({
      onRequest: (request, res) => {
        // An array answer: a notification, then the response.
        const log = { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } };
        json(res, [log, { jsonrpc: '2.0', id: request.id, result: text('json') }]);
      },
    });
    const transport = transportFor(server, { headers: { 'x-static': 'yes' } });
    const client = await connectClient(transport);
    const logs: LoggingMessageNotification['params'][] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
    expect(await client.callTool({ name: 'echo', arguments: {} }, undefined, TIMEOUT)).toEqual(text('json'));
    expect(logs).toEqual([{ level: 'info', data: 'working' }]);
    expect(transport.sessionId).toBe(SESSION);

    const posts = server.seen.filter((s) => s.method === 'POST');
    expect(posts.map((p) => (p.body as { method: string }).method)).toEqual(['initialize', 'notifications/initialized', 'tools/call']);
    for (const p of posts) {
      expect(p.headers['content-type']).toBe('application/json');
      expect(p.headers.accept).toBe('application/json, text/event-stream');
      expect(p.headers['x-static']).toBe('yes');
    }
    expect(posts[0]!.headers['mcp-session-id']).toBeUndefined();
    expect(posts[0]!.headers['mcp-protocol-version']).toBeUndefined();
    for (const p of posts.slice(1)) {
      expect(p.headers['mcp-session-id']).toBe(SESSION);
      expect(p.headers['mcp-protocol-version']).toBe(LATEST_PROTOCOL_VERSION);
    }
  });

  it('(b) SSE: an event split across writes, multi-line data, CRLF and a keep-alive comment; send() resolves before the stream ends', async () => {
    let finish: (() => void) | undefined;
    const server = await startServer({
      onRequest: (request, res) => {
        sseHead(res);
        res.write(': keepalive\n\n');
        res.write('event: message\r\ndata: {"jsonrpc": "2.0",'); // cut inside a data line
        finish = () => {
          res.write(` "id": ${JSON.stringify(request.id)},\r\ndata: "result": ${JSON.stringify(text('split'))}}\r`); // and between CR and LF
          setTimeout(() => res.end('\n\r\n'), 10);
        };
      },
    });
    const transport = transportFor(server);
    const received: JSONRPCMessage[] = [];
    transport.onmessage = (m) => void received.push(m);
    await transport.start();
    await transport.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo' } });
    // Resolved on the response head: nothing of the answer has arrived yet.
    expect(received).toEqual([]);
    await waitUntil(() => finish !== undefined, 'the server to start the stream');
    finish!();
    await waitUntil(() => received.length > 0, 'the event');
    expect(received).toEqual([{ jsonrpc: '2.0', id: 7, result: text('split') }]);
  });

  it('(b) SSE through the SDK client: notifications on the POST stream, then the response', async () => {
    const server = await startServer({
      onRequest: (request, res) => {
        sseHead(res);
        res.write(`: keepalive\n\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'first' } })}\n\n`);
        setTimeout(() => res.end(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: request.id, result: text('sse') })}\n\n`), 10);
      },
    });
    const client = await connectClient(transportFor(server));
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
    expect(await client.callTool({ name: 'echo', arguments: {} }, undefined, TIMEOUT)).toEqual(text('sse'));
    expect(logs).toEqual(['first']);
  });

  it('(c) an SSE stream cut off before the answer fails the call at once with a connection error', async () => {
    const server = await startServer({
      onRequest: (_request, res) => {
        sseHead(res);
        res.write(': keepalive\n\n', () => setTimeout(() => res.socket?.destroy(), 10));
      },
    });
    const client = await connectClient(transportFor(server));
    // A timeout would be McpError -32001 after 60 s; this must be the transport's own answer.
    const error = await rejection(client.callTool({ name: 'echo', arguments: {} }, undefined, { timeout: 60_000 }));
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32000);
    expect((error as McpError).message).toContain('Connection closed before the upstream answered (ECONNRESET)');
    expect(isConnectionFailure(error)).toBe(true);
    expect(provesNotDelivered(error)).toBe(false);
  });

  it('(c) an SSE stream that ends cleanly without the answer fails the call too', async () => {
    const server = await startServer({ onRequest: (_request, res) => void (sseHead(res), res.end(': nothing for you\n\n')) });
    const client = await connectClient(transportFor(server));
    const error = await rejection(client.callTool({ name: 'echo', arguments: {} }, undefined, { timeout: 60_000 }));
    expect((error as Error).message).toContain('Connection closed before the upstream answered (stream ended)');
  });

  it('(d) HTTP 404 on a session rejects with a typed SESSION_LOST (cause: an error carrying status 404 and the body), which core reads as a lost session', async () => {
    const server = await startServer({
      onRequest: (request, res) => {
        if (request.method === 'ping') return json(res, { jsonrpc: '2.0', id: request.id, result: {} });
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"unknown session"}' + ' '.repeat(2000) + 'tail');
      },
    });
    const client = await connectClient(transportFor(server));
    const error = await rejection(client.callTool({ name: 'echo', arguments: {} }, undefined, TIMEOUT));
    expect(SwitchboardError.is(error) && error.code).toBe('SESSION_LOST');
    expect(((error as Error).cause as { status?: number }).status).toBe(404);
    expect((error as Error).message).toContain('404');
    expect((error as Error).message).toContain('{"error":"unknown session"}');
    expect((error as Error).message).not.toContain('tail'); // cut to ~500 characters
    expect(isUpstreamSessionLost(error)).toBe(true);
    // The connection is still usable afterwards (the error body was drained).
    await expect(client.ping(TIMEOUT)).resolves.toBeDefined();
  });

  it('a failed send leaves the SDK (v2) client holding no handler for the request (no leak per failure)', async () => {
    const server = await startServer({
      onRequest: (request, res) => {
        if (request.method === 'ping') return json(res, { jsonrpc: '2.0', id: request.id, result: {} });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('injected failure');
      },
    });
    // The plugin's transport under the client core uses (SDK v2, which releases a failed call's
    // handlers itself; SDK v1 kept them, and the wrapper answered the id to release them).
    const client = new ClientV2({ name: 'test', version: '1' });
    cleanups.push(() => client.close());
    await client.connect(new StreamableHttpWithSseFallback({ url: server.url, headers: {}, logger: silentLogger, mode: 'http' }), TIMEOUT);
    const handlers = (client as unknown as { _responseHandlers: Map<unknown, unknown> })._responseHandlers;
    for (let i = 0; i < 20; i++) {
      const error = await rejection(client.callTool({ name: 'echo', arguments: {} }, TIMEOUT));
      // The caller still sees the real error: HTTP 500, typed, with the status on its cause.
      expect(linkFaultOf(error)).toEqual({ kind: 'http-status', delivered: 'maybe', status: 500 });
      expect(((error as Error).cause as { status?: number }).status).toBe(500);
    }
    await client.ping(TIMEOUT); // a full round trip: the releases are in by now
    expect(handlers.size).toBe(0);
  });

  it('a refused connection rejects send() with a typed connect failure (the node error as cause), which proves the message was not delivered', async () => {
    const server = await startServer();
    await server.close();
    const transport = transportFor(server);
    await transport.start();
    const error = await rejection(transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(linkFaultOf(error)).toEqual({ kind: 'connect', delivered: 'no' });
    expect(provesNotDelivered(error)).toBe(true);
  });

  it('gives up on a connection that is never established, with an error that proves nothing was sent', async () => {
    // A listener whose process never accepts: once its queue (backlog 1: two connections) is full,
    // the kernel drops further SYNs and connect() hangs, as with a host behind a silent firewall.
    const child = spawn(process.execPath, ['-e', BLACKHOLE], { stdio: ['ignore', 'pipe', 'ignore'] });
    cleanups.push(async () => child.kill('SIGKILL'));
    const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    for (let i = 0; i < 2; i++) {
      const filler = connect(port, '127.0.0.1');
      cleanups.push(async () => filler.destroy());
      await new Promise((resolve) => filler.once('connect', resolve));
    }
    const transport = new NodeHttpClientTransport({ url: new URL(`http://127.0.0.1:${port}/mcp`), connectTimeoutMs: 200 });
    cleanups.push(() => transport.close());
    await transport.start();
    const error = await rejection(transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    expect(linkFaultOf(error)).toEqual({ kind: 'connect', delivered: 'no' });
    expect((error as Error).message).toContain('within 200 ms');
    expect(provesNotDelivered(error)).toBe(true);
  });

  it('an unparsable JSON body rejects send()', async () => {
    const server = await startServer({ onRequest: (_r, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc": "2.0", "this is": not json') });
    const client = await connectClient(transportFor(server));
    const error = await rejection(client.callTool({ name: 'echo', arguments: {} }, undefined, TIMEOUT));
    expect(linkFaultOf(error)).toMatchObject({ kind: 'protocol' });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('(e) the GET stream opened after initialized delivers server notifications', async () => {
    let stream: ServerResponse | undefined;
    const server = await startServer({
      onGet: (_req, res) => {
        sseHead(res);
        res.write(': open\n\n');
        stream = res;
      },
    });
    const client = await connectClient(transportFor(server));
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
    await waitUntil(() => stream !== undefined, 'the GET stream');
    const get = server.seen.find((s) => s.method === 'GET')!;
    expect(get.headers.accept).toBe('text/event-stream');
    expect(get.headers['mcp-session-id']).toBe(SESSION);
    expect(get.headers['mcp-protocol-version']).toBe(LATEST_PROTOCOL_VERSION);
    stream!.write(`data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'unprompted' } })}\n\n`);
    await waitUntil(() => logs.length > 0, 'the notification');
    expect(logs).toEqual(['unprompted']);
    await client.close();
    await waitUntil(() => server.open.size === 0, 'the server to see every connection close');
  });

  it('a 405 answer to the GET stream is normal: no error is reported', async () => {
    const server = await startServer({ onRequest: echo });
    const client = await connectClient(transportFor(server));
    const errors: Error[] = [];
    client.onerror = (e) => void errors.push(e);
    await waitUntil(() => server.seen.some((s) => s.method === 'GET'), 'the GET attempt');
    await client.callTool({ name: 'echo', arguments: { text: 'x' } }, undefined, TIMEOUT);
    expect(errors).toEqual([]);
    expect(server.seen.filter((s) => s.method === 'GET')).toHaveLength(1);
  });

  it('a requestHeaders callback throwing when the GET stream opens is reported, not thrown out of an event handler', async () => {
    let calls = 0;
    const server = await startServer({ onRequest: echo });
    // initialize and initialized go out; the third call is the GET stream's.
    const transport = transportFor(server, { requestHeaders: () => (++calls === 3 ? (() => { throw new Error('tracing broke'); })() : undefined) });
    const client = new Client({ name: 'test', version: '1' });
    cleanups.push(() => client.close());
    const errors: Error[] = [];
    client.onerror = (e) => void errors.push(e);
    await client.connect(transport, TIMEOUT);
    await waitUntil(() => errors.length > 0, 'the error report');
    expect(errors[0]!.message).toBe('tracing broke');
    expect(server.seen.some((s) => s.method === 'GET')).toBe(false);
    await expect(client.callTool({ name: 'echo', arguments: { text: 'still fine' } }, undefined, TIMEOUT)).resolves.toEqual(text('still fine'));
  });

  it('reconnects the GET stream when it ends, and close() cancels the pending reconnect', async () => {
    const server = await startServer({ onGet: (_req, res) => void (sseHead(res), res.end('id: ev-1\n: bye\n\n')) });
    const transport = transportFor(server);
    const client = await connectClient(transport);
    await waitUntil(() => server.seen.filter((s) => s.method === 'GET').length >= 2, 'a reconnect (after about 1 s)');
    const gets = server.seen.filter((s) => s.method === 'GET');
    expect(gets[1]!.headers['last-event-id']).toBe('ev-1');
    await client.close();
    expect((transport as unknown as { reconnectTimer?: unknown }).reconnectTimer).toBeUndefined();
  });

  it('(f) per-request headers are read at send time and sent with every request', async () => {
    let n = 0;
    const traceparent = (i: number): string => `00-${'a'.repeat(32)}-${String(i).padStart(16, '0')}-01`;
    const server = await startServer({ onRequest: echo });
    const client = await connectClient(transportFor(server, { requestHeaders: () => ({ traceparent: traceparent(++n) }) }));
    await client.callTool({ name: 'echo', arguments: { text: 'a' } }, undefined, TIMEOUT);
    await client.callTool({ name: 'echo', arguments: { text: 'b' } }, undefined, TIMEOUT);
    const calls = server.seen.filter((s) => (s.body as { method?: string } | undefined)?.method === 'tools/call');
    const sent = calls.map((s) => s.headers.traceparent);
    expect(sent).toHaveLength(2);
    expect(new Set(sent).size).toBe(2);
    for (const t of sent) expect(t).toMatch(/^00-a{32}-\d{16}-01$/);
  });

  it('sends the credentials of the URL as Basic authorization, unless a header gives its own', async () => {
    const server = await startServer({ onRequest: echo });
    const url = new URL(server.url);
    url.username = 'ada';
    url.password = 'p%40ss';
    const basic = new NodeHttpClientTransport({ url });
    cleanups.push(() => basic.close());
    await connectClient(basic);
    const first = server.seen.find((s) => s.method === 'POST')!;
    expect(first.headers.authorization).toBe(`Basic ${Buffer.from('ada:p@ss').toString('base64')}`);
    const own = new NodeHttpClientTransport({ url, headers: { Authorization: 'Bearer t' } });
    cleanups.push(() => own.close());
    await connectClient(own);
    const initializes = server.seen.filter((s) => (s.body as { method?: string } | undefined)?.method === 'initialize');
    expect(initializes.map((s) => s.headers.authorization)).toEqual([`Basic ${Buffer.from('ada:p@ss').toString('base64')}`, 'Bearer t']);
  });

  it('reuses kept-alive connections and tracks nothing once sequential calls are done', async () => {
    const server = await startServer({ onRequest: echo });
    const transport = transportFor(server);
    const client = await connectClient(transport);
    for (let i = 0; i < 50; i++) await client.callTool({ name: 'echo', arguments: { text: String(i) } }, undefined, TIMEOUT);
    // Fifty calls on at most three connections: undici hands a socket back to its pool one turn of
    // the event loop after its response (against servers that close a connection they said they
    // would keep), so back-to-back calls take turns on two, beside the one the GET stream used.
    expect(server.connections).toBeLessThanOrEqual(3);
    await waitUntil(() => (transport as unknown as { inFlight: Set<unknown> }).inFlight.size === 0, 'no request left in flight');
  });

  it('close() ends in-flight requests, calls onclose once, and later sends fail', async () => {
    let arrived = false;
    const server = await startServer({ onRequest: () => void (arrived = true) }); // never answers
    const transport = transportFor(server);
    const client = await connectClient(transport);
    let closes = 0;
    transport.onclose = () => void closes++; // replaces the client's handler: only counting here
    const call = client.callTool({ name: 'echo', arguments: {} }, undefined, { timeout: 60_000 });
    const settled = call.catch((error: unknown) => error);
    await waitUntil(() => arrived, 'the call to reach the server');
    await transport.close();
    await transport.close();
    expect(closes).toBe(1);
    await waitUntil(() => server.open.size === 0, 'the server to see the connection close');
    await expect(transport.send({ jsonrpc: '2.0', id: 99, method: 'ping' })).rejects.toThrow(/closed/);
    await client.close(); // settles the pending call
    expect(await settled).toBeInstanceOf(Error);
  });

  it('terminateSession() through the fallback transport sends DELETE with the session id and forgets it', async () => {
    const server = await startServer({ onDelete: (res) => void res.writeHead(405).end() });
    const transport = new StreamableHttpWithSseFallback({ url: server.url, headers: {}, logger: silentLogger, mode: 'http' });
    const client = new Client({ name: 'test', version: '1' });
    cleanups.push(() => client.close());
    await client.connect(transport, TIMEOUT);
    expect(transport.activeProtocol).toBe('streamable-http');
    expect(transport.sessionId).toBe(SESSION);
    await transport.terminateSession();
    const del = server.seen.find((s) => s.method === 'DELETE')!;
    expect(del.headers['mcp-session-id']).toBe(SESSION);
    expect(transport.sessionId).toBeUndefined();
  });
});

/** Listens with a backlog of 1, prints its port, then blocks its only thread without spinning. */
const BLACKHOLE = `
const s = require('node:net').createServer();
s.listen(0, '127.0.0.1', 1, () => {
  process.stdout.write(s.address().port + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
});`;
