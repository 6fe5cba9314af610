import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import { serverEntrySchema, silentLogger, toDescriptor, UpstreamPool, type Transport } from '../src/index.js';

// Pure supervision logic, so an in-memory link is enough: what is under test is when the pool
// reconnects, not how bytes move.
function inMemoryTransport(servers: McpServer[]): Transport {
  return {
    kinds: ['memory'],
    async connect() {
      const [client, server] = InMemoryTransport.createLinkedPair();
      const mcp = new McpServer({ name: 'mem', version: '1.0.0' });
      mcp.registerTool('ping', {}, () => ({ content: [] }));
      await mcp.connect(server);
      servers.push(mcp);
      return client;
    },
  };
}

let pool: UpstreamPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('upstream supervision', () => {
  it('reconnects on its own after the upstream drops, with no call needed', async () => {
    const servers: McpServer[] = [];
    pool = new UpstreamPool({
      transports: new Map([['memory', inMemoryTransport(servers)]]),
      logger: silentLogger,
      connectTimeoutMs: 5_000,
      onCatalog: () => undefined,
      onDisconnect: () => undefined,
      supervise: true,
    });
    const descriptor = { ...toDescriptor(serverEntrySchema.parse({ name: 'mem', command: 'unused' }), 'test'), transport: 'memory' };
    await pool.client(descriptor);
    // Each connection records the era and revision it agreed at initialize.
    expect(pool.state('mem')).toMatchObject({ connected: true, era: '2025', protocolVersion: '2025-11-25' });
    await servers[0]!.close();
    expect(pool.state('mem')).toMatchObject({ connected: false, consecutiveFailures: 1, lastError: 'connection closed' });
    await expect.poll(() => pool!.state('mem')?.restarts, { timeout: 5_000 }).toBe(1);
    expect(pool.state('mem')).toMatchObject({ connected: true, connecting: false });
    expect(servers).toHaveLength(2);
  });
});

describe('upstream connect', () => {
  it('gives up on a connect that never settles and lets the supervisor try again', async () => {
    const servers: McpServer[] = [];
    const working = inMemoryTransport(servers);
    let attempts = 0;
    const stallsOnce: Transport = {
      kinds: ['memory'],
      connect(service, context) {
        attempts++;
        // The first connect hands back a transport whose start never finishes.
        if (attempts === 1) return Promise.resolve({ start: () => new Promise<void>(() => undefined), send: async () => undefined, close: async () => undefined });
        return working.connect(service, context);
      },
    };
    pool = new UpstreamPool({
      transports: new Map([['memory', stallsOnce]]),
      logger: silentLogger,
      connectTimeoutMs: 100,
      onCatalog: () => undefined,
      onDisconnect: () => undefined,
      supervise: true,
    });
    const descriptor = { ...toDescriptor(serverEntrySchema.parse({ name: 'mem', command: 'unused' }), 'test'), transport: 'memory' };
    await expect(pool.client(descriptor)).rejects.toMatchObject({ code: 'TRANSPORT_ERROR', message: expect.stringContaining('did not finish within 200 ms') });
    await expect.poll(() => pool!.state('mem')?.connected, { timeout: 5_000 }).toBe(true);
    expect(attempts).toBe(2);
  });
});
