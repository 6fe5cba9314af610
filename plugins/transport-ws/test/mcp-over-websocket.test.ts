// The SDK Client over WebSocketClientTransport against real SDK McpServers served by
// serveMcpOverWebSocket: the whole MCP exchange, end to end, on loopback.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkFaultOf } from '@switchboard/core';
import { serveMcpOverWebSocket, WebSocketClientTransport, type McpWebSocketServer } from '../src/index.js';
import { Cleanup, createTestServer, until, type TestServer } from './fixtures.js';

const cleanup = new Cleanup();
let served: McpWebSocketServer;
let servers: TestServer[];
let upgradeHeaders: Array<Record<string, string | string[] | undefined>>;

beforeEach(async () => {
  servers = [];
  upgradeHeaders = [];
  served = await serveMcpOverWebSocket({
    createServer: ({ request }) => {
      upgradeHeaders.push(request.headers);
      const test = createTestServer();
      servers.push(test);
      return test.server;
    },
  });
  cleanup.add(() => served.close());
});

afterEach(() => cleanup.run());

async function connect(headers?: Record<string, string>): Promise<{ client: Client; transport: WebSocketClientTransport }> {
  const transport = new WebSocketClientTransport(new URL(served.url), { name: 'ws-test', ...(headers && { headers }) });
  const client = new Client({ name: 'transport-ws-test', version: '0.0.0' });
  await client.connect(transport);
  cleanup.add(() => client.close());
  return { client, transport };
}

describe('MCP over WebSocket', () => {
  it('serves on loopback with the default path', () => {
    expect(served.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(served.port).toBeGreaterThan(0);
  });

  it('initializes: the client learns the server name, version and capabilities', async () => {
    const { client } = await connect();
    expect(client.getServerVersion()).toMatchObject({ name: 'ws-test-server', version: '1.2.3' });
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, logging: {} });
    expect(served.connections).toBe(1);
  });

  it('lists tools and calls one that answers with text', async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['echo', 'fail', 'hold', 'log', 'whoami']);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'héllo over ws' } });
    expect(result.content).toEqual([{ type: 'text', text: 'héllo over ws' }]);
    expect(result.isError).toBeFalsy();
  });

  it('carries a tool error result and a JSON-RPC error', async () => {
    const { client } = await connect();
    const failed = await client.callTool({ name: 'fail', arguments: {} });
    expect(failed.isError).toBe(true);
    expect(JSON.stringify(failed.content)).toContain('the fail tool failed on purpose');
    // The server has no resources capability, so this is a JSON-RPC error response on the wire.
    await expect(client.listResources()).rejects.toThrow(/Method not found/);
  });

  it('delivers a notification the server sends while serving a request', async () => {
    const { client } = await connect();
    const received: LoggingMessageNotification[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      received.push(notification);
    });
    const result = await client.callTool({ name: 'log', arguments: { message: 'progress: 50%' } });
    expect(result.content).toEqual([{ type: 'text', text: 'logged' }]);
    await until(() => received.length === 1, 'the logging notification');
    expect(received[0]?.params).toMatchObject({ level: 'info', logger: 'test', data: 'progress: 50%' });
  });

  it('keeps many concurrent calls apart', async () => {
    const { client } = await connect();
    const texts = Array.from({ length: 200 }, (_, i) => `call-${i}`);
    const results = await Promise.all(texts.map((text) => client.callTool({ name: 'echo', arguments: { text } })));
    expect(results.map((r) => (r.content as Array<{ text: string }>)[0]?.text)).toEqual(texts);
  });

  it('sends the descriptor headers on the upgrade request, and they reach request handlers', async () => {
    const { client } = await connect({ authorization: 'Bearer t0ken', 'x-tenant': 'acme' });
    expect(upgradeHeaders[0]).toMatchObject({ authorization: 'Bearer t0ken', 'x-tenant': 'acme', 'sec-websocket-protocol': 'mcp' });
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'acme' }]);
  });

  it('gives each connection its own server', async () => {
    const a = await connect();
    const b = await connect();
    expect(servers).toHaveLength(2);
    expect(served.connections).toBe(2);
    await expect(a.client.callTool({ name: 'echo', arguments: { text: 'a' } })).resolves.toMatchObject({ content: [{ text: 'a' }] });
    await expect(b.client.callTool({ name: 'echo', arguments: { text: 'b' } })).resolves.toMatchObject({ content: [{ text: 'b' }] });
  });

  it('close() releases the socket: the server sees the disconnect and onclose fires once', async () => {
    const { client, transport } = await connect();
    let closes = 0;
    client.onclose = () => closes++;
    await until(() => served.connections === 1, 'the server to count the connection');
    await client.close();
    expect(closes).toBe(1);
    expect(transport.closed).toBe(true);
    await until(() => served.connections === 0, 'the server to see the disconnect');
    await transport.close(); // idempotent
    expect(closes).toBe(1);
  });

  it('fails a pending call and fires onclose when the server closes the socket', async () => {
    const { client } = await connect();
    let closed = false;
    client.onclose = () => {
      closed = true;
    };
    const pending = client.callTool({ name: 'hold', arguments: {} });
    const outcome = pending.then(
      () => 'resolved',
      (error: Error) => error,
    );
    await until(() => servers[0]?.holding === 1, 'the hold call to reach the server');
    await servers[0]?.server.close();
    await until(() => closed, 'the client to see the close');
    // Answered by the transport with a typed failure: the link closed, the call may have run.
    const failure = await outcome;
    expect((failure as Error).message).toMatch(/closed before it answered/);
    expect(linkFaultOf(failure)).toEqual({ kind: 'closed', delivered: 'maybe' });
    servers[0]?.release();
  });
});
