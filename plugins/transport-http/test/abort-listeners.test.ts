// Regression: the SDK passes one transport-wide AbortSignal to every request and undici only drops
// its listener at garbage collection, so a busy connection piled up listeners (thousands, with a
// MaxListenersExceededWarning). Each request now gets its own signal, unlinked when its body ends.
import { getEventListeners } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { serverEntrySchema, silentLogger, toDescriptor } from '@switchboard/core';
import { startHttpFixture, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport } from '../src/index.js';

let fixture: HttpFixture | undefined;
afterEach(async () => fixture?.close());

describe('abort listeners', () => {
  it('do not accumulate on the transport-wide signal over many requests', async () => {
    fixture = await startHttpFixture({ name: 'busy', tools: ['echo'] });
    const descriptor = toDescriptor(serverEntrySchema.parse({ name: 'busy', url: fixture.url }), 'test#0');
    const transport = await new HttpTransport().connect(descriptor, { logger: silentLogger });
    const client = new Client({ name: 't', version: '1' });
    await client.connect(transport);
    for (let i = 0; i < 200; i++) await client.callTool({ name: 'echo', arguments: { text: String(i) } });
    const inner = (transport as unknown as { inner: { _abortController?: AbortController } }).inner;
    const signal = inner._abortController!.signal;
    expect(getEventListeners(signal, 'abort').length).toBeLessThan(5);
    await client.close();
  });
});
