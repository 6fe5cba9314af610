// Regression, for the legacy HTTP+SSE fallback (Streamable HTTP no longer uses fetch or signals):
// the SDK's SSE client passes one transport-wide AbortSignal to every POST and undici only drops its
// listener at garbage collection, so a busy connection piled up listeners (thousands, with a
// MaxListenersExceededWarning). Each request gets its own signal, unlinked when its body ends.
import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { serverEntrySchema, silentLogger, toDescriptor } from '@switchboard/core';
import { createFixtureServer } from '@switchboard/testing/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport, type StreamableHttpWithSseFallback } from '../src/index.js';

/** A server that predates Streamable HTTP: GET /sse opens the stream, POST /messages carries requests, anything else is 405. */
async function startLegacyServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sessions = new Map<string, SSEServerTransport>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res);
      sessions.set(transport.sessionId, transport);
      transport.onclose = () => void sessions.delete(transport.sessionId);
      void createFixtureServer({ name: 'legacy', tools: ['echo'] }).connect(transport);
      return;
    }
    const transport = sessions.get(url.searchParams.get('sessionId') ?? '');
    if (req.method === 'POST' && url.pathname === '/messages' && transport) return void transport.handlePostMessage(req, res);
    res.writeHead(405).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sse`,
    async close() {
      await Promise.all([...sessions.values()].map((t) => t.close().catch(() => undefined)));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let legacy: Awaited<ReturnType<typeof startLegacyServer>> | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  await legacy?.close();
  client = legacy = undefined;
});

async function connect(transport: 'sse' | 'http'): Promise<StreamableHttpWithSseFallback> {
  legacy = await startLegacyServer();
  const descriptor = toDescriptor(serverEntrySchema.parse({ name: 'legacy', url: legacy.url, transport }), 'test#0');
  const upstream = (await new HttpTransport().connect(descriptor, { logger: silentLogger })) as StreamableHttpWithSseFallback;
  client = new Client({ name: 't', version: '1' });
  await client.connect(upstream);
  return upstream;
}

describe('legacy HTTP+SSE', () => {
  it('abort listeners do not accumulate on the transport-wide signal over many requests', async () => {
    const transport = await connect('sse');
    expect(transport.activeProtocol).toBe('sse');
    for (let i = 0; i < 200; i++) await client!.callTool({ name: 'echo', arguments: { text: String(i) } });
    const inner = (transport as unknown as { inner: { _abortController?: AbortController } }).inner;
    expect(getEventListeners(inner._abortController!.signal, 'abort').length).toBeLessThan(5);
  });

  it("mode 'http' falls back to it when the server answers the initialize POST with 4xx", async () => {
    const transport = await connect('http');
    expect(transport.activeProtocol).toBe('sse');
    const result = await client!.callTool({ name: 'echo', arguments: { text: 'via sse' } });
    expect(result.content).toEqual([{ type: 'text', text: 'via sse' }]);
  });
});
