import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import { serverEntrySchema, silentLogger, toDescriptor, UpstreamPool, type Transport, type UpstreamCatalog } from '../src/index.js';

// What the pool reads and when is pure logic over a link, so an in-memory link is enough here; the
// gateway tests read the same catalogues from real stdio and HTTP servers.
function serving(mcp: McpServer): Transport {
  return {
    kinds: ['memory'],
    async connect() {
      const [client, server] = InMemoryTransport.createLinkedPair();
      await mcp.connect(server);
      return client;
    },
  };
}

function fullServer(): McpServer {
  const mcp = new McpServer({ name: 'mem', version: '1.0.0' });
  mcp.registerTool('echo', { description: 'echo' }, () => ({ content: [] }));
  mcp.registerResource('readme', 'file:///readme', {}, () => ({ contents: [] }));
  mcp.registerResource('note', new ResourceTemplate('note://{id}', { list: undefined }), {}, () => ({ contents: [] }));
  mcp.registerPrompt('greet', {}, () => ({ messages: [] }));
  return mcp;
}

let pool: UpstreamPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

function recordingPool(transport: Transport): { pool: UpstreamPool; reads: Partial<UpstreamCatalog>[] } {
  const reads: Partial<UpstreamCatalog>[] = [];
  pool = new UpstreamPool({
    transports: new Map([['memory', transport]]),
    logger: silentLogger,
    connectTimeoutMs: 2_000,
    onCatalog: (_name, lists) => void reads.push(lists),
    onDisconnect: () => undefined,
  });
  return { pool, reads };
}

const descriptor = { ...toDescriptor(serverEntrySchema.parse({ name: 'mem', command: 'unused' }), 'test'), transport: 'memory' };

describe('one catalogue per upstream', () => {
  it('reads tools, resources, templates and prompts on connect, then only the list that changed', async () => {
    const mcp = fullServer();
    const { pool, reads } = recordingPool(serving(mcp));
    await pool.client(descriptor);
    await pool.catalogRead('mem');
    const merged = Object.assign({}, ...reads) as UpstreamCatalog;
    expect(merged.tools.map((t) => t.name)).toEqual(['echo']);
    expect(merged.resources.map((r) => r.uri)).toEqual(['file:///readme']);
    expect(merged.resourceTemplates.map((t) => t.uriTemplate)).toEqual(['note://{id}']);
    expect(merged.prompts.map((p) => p.name)).toEqual(['greet']);

    reads.length = 0;
    mcp.registerResource('changelog', 'file:///changelog', {}, () => ({ contents: [] }));
    await expect.poll(() => reads.length).toBe(1);
    expect(Object.keys(reads[0]!).sort()).toEqual(['freshness', 'resourceTemplates', 'resources']);
    // Each list read records when, and the upstream's cache hint (none from a 2025 server).
    expect(Object.keys(reads[0]!.freshness!).sort()).toEqual(['resourceTemplates', 'resources']);
    expect(reads[0]!.freshness!.resources).toEqual({ readAt: expect.any(Number) });
    expect(reads[0]!.resources!.map((r) => r.uri)).toEqual(['file:///readme', 'file:///changelog']);
  });

  it('does not hold up the connect for a resources/list that never answers', async () => {
    const mcp = fullServer();
    // The server's resources/list handler never settles: the first call must not wait for it.
    mcp.server.setRequestHandler((await import('@modelcontextprotocol/sdk/types.js')).ListResourcesRequestSchema, () => new Promise(() => undefined));
    const { pool, reads } = recordingPool(serving(mcp));
    await pool.client(descriptor);
    expect(reads.some((r) => r.tools?.length === 1)).toBe(true);
    expect(reads.some((r) => r.resources !== undefined && r.resources.length > 0)).toBe(false);
    // Once it times out, the other lists arrive and resources are left as they were.
    await pool.catalogRead('mem');
    const merged = Object.assign({}, ...reads) as Partial<UpstreamCatalog>;
    expect(merged.prompts?.map((p) => p.name)).toEqual(['greet']);
    expect(merged.resources).toBeUndefined();
  });

  it('gives an upstream that offers no resources or prompts empty lists, replacing any held before', async () => {
    const mcp = new McpServer({ name: 'tools-only', version: '1.0.0' });
    mcp.registerTool('echo', {}, () => ({ content: [] }));
    const { pool, reads } = recordingPool(serving(mcp));
    await pool.client(descriptor);
    await pool.catalogRead('mem');
    const { freshness: _freshness, ...lists } = Object.assign({}, ...reads) as UpstreamCatalog;
    expect(lists).toEqual({ tools: [expect.objectContaining({ name: 'echo' })], resources: [], resourceTemplates: [], prompts: [] });
  });
});
