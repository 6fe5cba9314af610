// Regression, for the legacy HTTP+SSE fallback (Streamable HTTP no longer uses fetch or signals):
// the SDK's SSE client passes one transport-wide AbortSignal to every POST and undici only drops its
// listener at garbage collection, so a busy connection piled up listeners (thousands, with a
// MaxListenersExceededWarning). Each request gets its own signal, unlinked when its body ends.
import { getEventListeners } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { serverEntrySchema, silentLogger, toDescriptor } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport, type StreamableHttpWithSseFallback } from '../src/index.js';
import { startLegacySseServer, type LegacySseServer } from './legacy-sse-server.js';

let legacy: LegacySseServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  await legacy?.close();
  client = legacy = undefined;
});

async function connect(transport: 'sse' | 'http'): Promise<StreamableHttpWithSseFallback> {
  legacy = await startLegacySseServer();
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
