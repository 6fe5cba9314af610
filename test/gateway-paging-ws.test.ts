// Pagination of the aggregate lists toward clients, and a WebSocket upstream behind the gateway
// (one upstream WebSocket session per client session, like HTTP), end to end over real sockets.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, LoggingMessageNotificationSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import websocketTransport, { serveMcpOverWebSocket, type McpWebSocketServer } from '@switchboard/transport-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { buildWsUpstream } from '../packages/gateway/test/fixtures/ws-upstream.js';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

let harness: GatewayHarness | undefined;
const upstreams: Array<GatewayFixture | McpWebSocketServer> = [];

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await Promise.all(upstreams.splice(0).map((u) => u.close()));
});

/** Every item of a paginated list, and how many pages it took. */
async function listAll<T>(page: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string | undefined }>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const p = await page(cursor);
    items.push(...p.items);
    cursor = p.nextCursor;
    pages++;
  } while (cursor !== undefined && pages < 100);
  return { items, pages };
}

/** Two HTTP upstreams named one and two behind a gateway that pages lists by `pageSize`. */
async function twoUpstreams(pageSize: number): Promise<GatewayHarness> {
  const one = await startGatewayFixture({ name: 'one' });
  const two = await startGatewayFixture({ name: 'two' });
  upstreams.push(one, two);
  return startGateway(
    [
      { name: 'one', transport: 'http', url: one.url },
      { name: 'two', transport: 'http', url: two.url },
    ],
    { namespace: 'always', gateway: { pageSize } },
  );
}

describe('pagination toward clients', () => {
  it('pages tools, resources, templates and prompts with an opaque cursor', async () => {
    harness = await twoUpstreams(3);
    const c = await harness.connect();
    const catalog = harness.gateway.catalog();

    const first = await c.listTools();
    expect(first.tools).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const tools = await listAll(async (cursor) => c.listTools(cursor ? { cursor } : undefined).then((r) => ({ items: r.tools, nextCursor: r.nextCursor })));
    expect(tools.items.map((t) => t.name).sort()).toEqual([...catalog.tools.keys()].sort());
    expect(tools.pages).toBe(Math.ceil(catalog.tools.size / 3));
    expect(new Set(tools.items.map((t) => t.name)).size).toBe(tools.items.length); // no repeats

    const resources = await listAll(async (cursor) => c.listResources(cursor ? { cursor } : undefined).then((r) => ({ items: r.resources, nextCursor: r.nextCursor })));
    expect(resources.items.map((r) => r.uri).sort()).toEqual(['readme://one', 'readme://two']);
    const prompts = await listAll(async (cursor) => c.listPrompts(cursor ? { cursor } : undefined).then((r) => ({ items: r.prompts, nextCursor: r.nextCursor })));
    expect(prompts.items.map((p) => p.name).sort()).toEqual(['one__greet', 'two__greet']);

    const bad = await c.listTools({ cursor: 'not-a-cursor' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(McpError);
    expect((bad as McpError).code).toBe(ErrorCode.InvalidParams);
    // A cursor of one list is not accepted by another.
    await expect(c.listPrompts({ cursor: first.nextCursor! })).rejects.toThrow(/Invalid cursor for prompts/);
  });

  it('pages resources, resource templates and prompts over more than one page', async () => {
    harness = await twoUpstreams(1);
    const c = await harness.connect();
    const resources = await listAll(async (cursor) => c.listResources(cursor ? { cursor } : undefined).then((r) => ({ items: r.resources, nextCursor: r.nextCursor })));
    expect(resources.pages).toBe(2);
    expect(resources.items.map((r) => r.uri).sort()).toEqual(['readme://one', 'readme://two']);
    const templates = await listAll(async (cursor) =>
      c.listResourceTemplates(cursor ? { cursor } : undefined).then((r) => ({ items: r.resourceTemplates, nextCursor: r.nextCursor })),
    );
    expect(templates.pages).toBe(2);
    expect(templates.items.map((t) => t.uriTemplate).sort()).toEqual(['note://one/{id}', 'note://two/{id}']);
    const prompts = await listAll(async (cursor) => c.listPrompts(cursor ? { cursor } : undefined).then((r) => ({ items: r.prompts, nextCursor: r.nextCursor })));
    expect(prompts.pages).toBe(2);
    expect(prompts.items.map((p) => p.name).sort()).toEqual(['one__greet', 'two__greet']);
  });
});

describe('WebSocket upstream', () => {
  it('serves a WebSocket upstream with one upstream connection per client session, closed with it', async () => {
    let sessionsSeen = 0;
    const ws = await serveMcpOverWebSocket({
      heartbeatIntervalMs: 0,
      createServer: () => buildWsUpstream(++sessionsSeen),
    });
    upstreams.push(ws);
    harness = await startGateway([{ name: 'ws-up', transport: 'websocket', url: ws.url }], { plugins: [websocketTransport()] });
    const connectionsBefore = ws.connections; // the router's own (catalogue, health)
    const a = await harness.connect();
    const b = await harness.connect();
    const logsA: unknown[] = [];
    a.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logsA.push(n.params.data));
    const sessionA = firstText(await a.callTool({ name: 'session' }));
    const sessionB = firstText(await b.callTool({ name: 'session' }));
    expect(sessionA).not.toBe(sessionB);
    expect(firstText(await a.callTool({ name: 'session' }))).toBe(sessionA);
    expect(ws.connections).toBe(connectionsBefore + 2);

    const progress: number[] = [];
    const result = await a.callTool({ name: 'steps', arguments: { steps: 3 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
    expect(firstText(result)).toBe('3 steps');
    expect(progress).toEqual([1, 2, 3]);
    await waitFor(() => logsA.length === 1, { what: 'the log on a' });
    expect(logsA).toEqual([`done in ${sessionA.replace('ws ', '')}`]);

    await (a.transport as StreamableHTTPClientTransport).terminateSession();
    await a.close();
    await waitFor(() => ws.connections === connectionsBefore + 1, { what: "a's upstream WebSocket to close" });
    expect(firstText(await b.callTool({ name: 'session' }))).toBe(sessionB);
  });
});
