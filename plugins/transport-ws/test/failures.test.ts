// How the transports fail: refused connections, wrong paths, bad frames in either direction,
// sends after close and unanswered pings. Real sockets on loopback throughout.
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { SwitchboardError } from '@switchboard/core';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { serveMcpOverWebSocket, WebSocketClientTransport } from '../src/index.js';
import { Cleanup, createTestServer, until } from './fixtures.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A bare ws server speaking the mcp subprotocol, for tests that need a misbehaving peer. */
async function rawServer(options: { autoPong?: boolean } = {}): Promise<{ wss: WebSocketServer; url: string; sockets: WebSocket[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'mcp', autoPong: options.autoPong ?? true });
  const sockets: WebSocket[] = [];
  wss.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.terminate();
        wss.close(() => resolve());
      }),
  );
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/mcp`, sockets };
}

const ping: JSONRPCMessage = { jsonrpc: '2.0', id: 1, method: 'ping' };

/** A started client transport connected to a bare server, what it reports, and the server's end. */
async function clientOfRawServer(name: string): Promise<{ transport: WebSocketClientTransport; errors: Error[]; messages: JSONRPCMessage[]; peer: WebSocket }> {
  const raw = await rawServer();
  const transport = new WebSocketClientTransport(raw.url, { name });
  cleanup.add(() => transport.close());
  const errors: Error[] = [];
  const messages: JSONRPCMessage[] = [];
  transport.onerror = (error) => errors.push(error);
  transport.onmessage = (message) => messages.push(message);
  await transport.start();
  await until(() => raw.sockets.length === 1, 'the server to accept');
  return { transport, errors, messages, peer: raw.sockets[0]! };
}

describe('connecting', () => {
  it('a refused connection rejects start() with a TRANSPORT_ERROR naming the service and url', async () => {
    const port = await closedPort();
    const transport = new WebSocketClientTransport(new URL(`ws://127.0.0.1:${port}/mcp`), { name: 'weather' });
    let closes = 0;
    transport.onclose = () => closes++;
    const error = await transport.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(SwitchboardError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'TRANSPORT_ERROR',
      plugin: 'transport-ws',
      service: 'weather',
      message: `cannot connect to websocket server weather at ws://127.0.0.1:${port}/mcp: connection refused`,
    });
    // A transport that never opened was never connected: no onclose for the pool to misread.
    expect(closes).toBe(0);
  });

  it('a refused connection fails the SDK Client connect with the same error', async () => {
    const port = await closedPort();
    const client = new Client({ name: 't', version: '0' });
    await expect(client.connect(new WebSocketClientTransport(`ws://127.0.0.1:${port}/`, { name: 'maps' }))).rejects.toThrow(
      /cannot connect to websocket server maps at .*: connection refused/,
    );
  });

  it('a wrong path is reported as an HTTP answer instead of an upgrade', async () => {
    const served = await serveMcpOverWebSocket({ createServer: () => createTestServer().server });
    cleanup.add(() => served.close());
    const transport = new WebSocketClientTransport(served.url.replace('/mcp', '/nope'), { name: 'svc' });
    await expect(transport.start()).rejects.toThrow(/svc at ws:\/\/127\.0\.0\.1:\d+\/nope: the server answered HTTP 400 instead of upgrading/);
  });

  it('the URL in errors never carries credentials or a query string', async () => {
    const port = await closedPort();
    const transport = new WebSocketClientTransport(`ws://user:secret@127.0.0.1:${port}/mcp?token=abc`, { name: 'svc' });
    const error = await transport.start().catch((e: Error) => e);
    expect(String((error as Error).message)).not.toMatch(/secret|token=abc/);
  });

  it('rejects a URL that is not a websocket URL', () => {
    expect(() => new WebSocketClientTransport('ftp://127.0.0.1/mcp')).toThrow(/not a websocket URL/);
  });

  it('start() twice is an error', async () => {
    const { url } = await rawServer();
    const transport = new WebSocketClientTransport(url);
    cleanup.add(() => transport.close());
    await transport.start();
    await expect(transport.start()).rejects.toThrow(/already started/);
  });

  it('close() before start() fires onclose and start() then refuses to connect', async () => {
    const raw = await rawServer();
    const transport = new WebSocketClientTransport(raw.url);
    let closes = 0;
    transport.onclose = () => closes++;
    await transport.close();
    expect(closes).toBe(1);
    await expect(transport.start()).rejects.toThrow(/closed before it started/);
    expect(raw.sockets).toHaveLength(0);
  });

  it('an aborted signal closes an open connection', async () => {
    const raw = await rawServer();
    const controller = new AbortController();
    const transport = new WebSocketClientTransport(raw.url, { signal: controller.signal });
    cleanup.add(() => transport.close());
    let closed = false;
    transport.onclose = () => {
      closed = true;
    };
    await transport.start();
    await until(() => raw.sockets.length === 1, 'the server to accept');
    controller.abort();
    await until(() => closed, 'the abort to close the transport');
    await until(() => raw.sockets[0]?.readyState === WebSocket.CLOSED, 'the server to see the close');
  });
});

describe('bad frames', () => {
  it('the client reports frames that are not JSON-RPC and keeps the connection', async () => {
    const { transport, errors, messages, peer } = await clientOfRawServer('noisy');
    peer.send('this is not json');
    peer.send(JSON.stringify({ hello: 'world' }));
    peer.send(Buffer.from(JSON.stringify(ping)), { binary: true });
    peer.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'still here' } }));
    await until(() => messages.length === 1, 'the valid frame after the bad ones');
    expect(messages[0]).toMatchObject({ method: 'notifications/message' });
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/from websocket server noisy at .* not valid JSON/),
      expect.stringMatching(/not a JSON-RPC 2.0 message \("\{\\"hello\\":\\"world\\"\}"\)/),
      expect.stringMatching(/binary websocket frame/),
    ]);
    expect(transport.closed).toBe(false);
    // And the connection still carries frames the other way.
    const received: string[] = [];
    peer.on('message', (data) => received.push(String(data)));
    await transport.send(ping);
    await until(() => received.length === 1, 'the server to receive the ping');
    expect(JSON.parse(received[0]!)).toEqual(ping);
  });

  it('the client fails a call at once whose answer nests past 512 levels, and drops a deep notification', async () => {
    const { transport, errors, messages, peer } = await clientOfRawServer('deep');
    const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    peer.send(`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":${nested}}}`);
    peer.send(`{"jsonrpc":"2.0","id":7,"result":{"content":[],"structuredContent":{"d":${nested}}}}`);
    await until(() => messages.length === 1, 'the failed answer');
    // The answer becomes a failed answer to call 7, carrying the typed protocol fault core reads.
    const answer = messages[0] as { id: number; error: { message: string; data: unknown } };
    expect(answer.id).toBe(7);
    expect(answer.error.message).toMatch(/answered with JSON nested deeper than 512 levels; the answer was refused/);
    expect(SwitchboardError.is(answer.error.data) && answer.error.data.link).toMatchObject({ kind: 'protocol' });
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/sent JSON nested deeper than 512 levels; the message was dropped/)]);
    expect(transport.closed).toBe(false);
  });

  it('the server reports a garbage frame and keeps serving that connection', async () => {
    const errors: Error[] = [];
    const served = await serveMcpOverWebSocket({ createServer: () => createTestServer().server, onError: (e) => errors.push(e) });
    cleanup.add(() => served.close());
    const socket = new WebSocket(served.url, 'mcp');
    cleanup.add(() => socket.terminate());
    const replies: unknown[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send('{"jsonrpc": "2.0", "id": 1, "method"');
    socket.send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
      }),
    );
    await until(() => replies.length === 1, 'the initialize reply');
    expect(replies[0]).toMatchObject({ jsonrpc: '2.0', id: 2, result: { serverInfo: { name: 'ws-test-server' } } });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/from websocket client 127\.0\.0\.1:\d+ that is not valid JSON/);
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });
});

describe('a client that never reads', () => {
  it('is dropped once maxBufferedBytes of answers wait for it; other clients are served', async () => {
    const errors: Error[] = [];
    const served = await serveMcpOverWebSocket({ createServer: () => createTestServer().server, onError: (e) => errors.push(e), maxBufferedBytes: 1024 * 1024 });
    cleanup.add(() => served.close());
    const open = async (): Promise<WebSocket> => {
      const socket = new WebSocket(served.url, 'mcp');
      cleanup.add(() => socket.terminate());
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }));
      await new Promise((resolve) => socket.once('message', resolve));
      socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      return socket;
    };
    const stalled = await open();
    let closed = false;
    stalled.once('close', () => (closed = true));
    // Stop reading: the server's answers pile up in its socket, then in ws's queue.
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
    const text = 'x'.repeat(100_000);
    for (let id = 1; id <= 600 && !closed; id++) {
      stalled.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text } } }));
      if (id % 50 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => errors.some((e) => /is not reading: \d+ bytes sent to it are still unread \(over maxBufferedBytes, 1048576\); dropping the connection/.test(e.message)), 'the stalled client dropped');
    await until(() => served.connections === 0, 'its connection closed');

    const healthy = await open();
    const answer = new Promise<{ result: { content: { text: string }[] } }>((resolve) => healthy.once('message', (d) => resolve(JSON.parse(String(d)))));
    healthy.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'fine' } } }));
    expect((await answer).result.content[0]?.text).toBe('fine');
  });
});

describe('after the connection ends', () => {
  it('send after close rejects with a TRANSPORT_ERROR', async () => {
    const raw = await rawServer();
    const transport = new WebSocketClientTransport(raw.url, { name: 'gone' });
    await transport.start();
    await transport.close();
    await expect(transport.send(ping)).rejects.toMatchObject({
      code: 'TRANSPORT_ERROR',
      plugin: 'transport-ws',
      message: expect.stringMatching(/cannot send to websocket server gone at .*: the connection is closed/),
    });
  });

  it('send before start rejects', async () => {
    const transport = new WebSocketClientTransport('ws://127.0.0.1:1/mcp');
    await expect(transport.send(ping)).rejects.toThrow(/the connection is not started/);
  });

  it('the peer closing the socket fires onclose once', async () => {
    const raw = await rawServer();
    const transport = new WebSocketClientTransport(raw.url);
    let closes = 0;
    transport.onclose = () => closes++;
    await transport.start();
    await until(() => raw.sockets.length === 1, 'the server to accept');
    raw.sockets[0]!.close(1001, 'going away');
    await until(() => closes === 1, 'onclose');
    await transport.close();
    expect(closes).toBe(1);
  });

  it('a peer that stops answering pings is dropped by the heartbeat', async () => {
    const raw = await rawServer({ autoPong: false });
    const transport = new WebSocketClientTransport(raw.url, { name: 'silent', heartbeatIntervalMs: 30 });
    const errors: Error[] = [];
    let closed = false;
    transport.onerror = (e) => errors.push(e);
    transport.onclose = () => {
      closed = true;
    };
    await transport.start();
    await until(() => closed, 'the heartbeat to drop the connection');
    expect(errors.some((e) => /silent .* did not answer a ping/.test(e.message))).toBe(true);
  });

  it('a peer that answers pings is kept', async () => {
    const raw = await rawServer();
    const transport = new WebSocketClientTransport(raw.url, { heartbeatIntervalMs: 20 });
    cleanup.add(() => transport.close());
    let pings = 0;
    await transport.start();
    await until(() => raw.sockets.length === 1, 'the server to accept');
    raw.sockets[0]!.on('ping', () => pings++);
    await until(() => pings >= 3, 'three heartbeats');
    expect(transport.closed).toBe(false);
  });
});
