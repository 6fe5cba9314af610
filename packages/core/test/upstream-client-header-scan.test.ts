// The upstream client mirrors a tool's x-mcp-header arguments into Mcp-Param-* headers (SEP-2243)
// exactly as the SDK's Client does, but scans a tool's input schema once per schema instead of on
// every call. Both clients talk to the same real 2026-07-28 SDK v2 server over loopback HTTP, which
// records the headers each tools/call carried.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamClient } from '../src/sdk/upstream-client.js';

/** The header the tool declares for `region`; changed (and the list change announced) by a test. */
let declared = 'Region';
const seen: Array<Record<string, string>> = [];

const handler = createMcpHandler(
  () => {
    const server = new McpServer({ name: 'header-scan', version: '1' });
    server.registerTool(
      'locate',
      { inputSchema: z.object({ region: z.string().meta({ 'x-mcp-header': declared }), query: z.string() }) },
      async ({ region }) => ({ content: [{ type: 'text', text: `in ${region}` }] }),
    );
    return server;
  },
  { legacy: 'reject' },
);
const node = toNodeHandler(handler);
const httpServer = http.createServer((req, res) => {
  if (req.headers['mcp-method'] === 'tools/call') {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (name.startsWith('mcp-param-') && typeof value === 'string') headers[name] = value;
    seen.push(headers);
  }
  void node(req, res);
});

let url: URL;
let sdk: Client;
let ours: Client;

const connect = async (client: Client): Promise<Client> => {
  await client.connect(new StreamableHTTPClientTransport(url));
  return client;
};

/** Both clients find the server's era by probing (it speaks only 2026-07-28). */
const clientArgs = (name: string): ConstructorParameters<typeof Client> => [{ name, version: '1' }, { versionNegotiation: { mode: 'auto' } }];

beforeAll(async () => {
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/mcp`);
  [sdk, ours] = await Promise.all([connect(new Client(...clientArgs('sdk'))), connect(new UpstreamClient(...clientArgs('ours')))]);
});

afterAll(async () => {
  await Promise.all([sdk?.close(), ours?.close()]);
  await handler.close();
  httpServer.closeAllConnections();
  await new Promise<void>((resolve) => httpServer.close(() => resolve()));
});

/** The Mcp-Param-* headers of each call, in order. */
async function headersOf(client: Client, regions: readonly string[]): Promise<Array<Record<string, string>>> {
  const out: Array<Record<string, string>> = [];
  for (const region of regions) {
    seen.length = 0;
    const result = await client.callTool({ name: 'locate', arguments: { region, query: 'q' } });
    expect(result.content).toEqual([{ type: 'text', text: `in ${region}` }]);
    out.push(seen[0]!);
  }
  return out;
}

interface ToolIndex {
  _cache: { toolDefinition(name: string): Promise<{ inputSchema: Record<string, unknown> } | undefined> };
}

describe('UpstreamClient x-mcp-header mirroring', () => {
  it('sends the same headers as the SDK client, call after call', async () => {
    await Promise.all([sdk.listTools(), ours.listTools()]);
    const regions = ['eu', 'us', 'Hello, 世界'];
    const mine = await headersOf(ours, regions);
    expect(mine).toEqual(await headersOf(sdk, regions));
    expect(mine[0]).toEqual({ 'mcp-param-region': 'eu' });
    expect(mine[1]).toEqual({ 'mcp-param-region': 'us' });
  });

  it('scans a schema once, not per call: the SDK client walks it on every call', async () => {
    const reads = async (client: Client): Promise<number> => {
      await client.listTools(); // a fresh list: new schema objects, not yet scanned
      const tool = await (client as unknown as ToolIndex)._cache.toolDefinition('locate');
      const schema = tool!.inputSchema;
      const properties = schema.properties;
      let count = 0;
      Object.defineProperty(schema, 'properties', { get: () => (count++, properties), enumerable: true, configurable: true });
      await headersOf(client, ['a', 'b', 'c', 'd', 'e']);
      return count;
    };
    expect(await reads(sdk)).toBe(5);
    expect(await reads(ours)).toBe(1);
  });

  it('follows a changed tool list: the new schema is scanned, the old declaration no longer sent', async () => {
    declared = 'Zone';
    try {
      handler.notify.toolsChanged();
      await Promise.all([sdk.listTools(), ours.listTools()]);
      const mine = await headersOf(ours, ['eu', 'us']);
      expect(mine).toEqual([{ 'mcp-param-zone': 'eu' }, { 'mcp-param-zone': 'us' }]);
      expect(mine).toEqual(await headersOf(sdk, ['eu', 'us']));
    } finally {
      declared = 'Region';
    }
  });
});
