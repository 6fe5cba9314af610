// Closing an HTTP gateway drains it: calls in flight finish, and meanwhile /readyz and new requests
// say 503 so a load balancer moves clients to the other instances. A rolling restart then fails no
// call that was already running.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startHttpFixture, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, startGateway } from './helpers/gateway-setup.js';

let upstream: HttpFixture;

beforeAll(async () => {
  upstream = await startHttpFixture({ name: 'up', tools: ['sleep', 'echo'] });
});

afterAll(async () => {
  await upstream?.close();
});

describe('gateway shutdown', () => {
  it('lets a call in flight finish, refuses new work with 503, then closes', async () => {
    const harness = await startGateway([{ name: 'up', transport: 'http', url: upstream.url }], { http: { drainMs: 5_000 } });
    const client = new Client({ name: 'draining', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(harness.http.url)));
    const base = harness.http.url.replace('/mcp', '');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const slow = client.callTool({ name: 'sleep', arguments: { ms: 400 } });
    await new Promise((resolve) => setTimeout(resolve, 100)); // the call is upstream now
    const closing = harness.http.close();

    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200); // the process is still up
    const refused = await fetch(harness.http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'late', version: '1' } } }),
    });
    expect(refused.status).toBe(503);

    const result = await slow;
    expect(result.isError).toBeFalsy();
    expect(firstText(result)).toContain('400');
    await closing;
    expect(harness.http.sessionCount).toBe(0);
    await client.close().catch(() => undefined);
    await harness.close();
  });

  it('gives up waiting after drainMs', async () => {
    const harness = await startGateway([{ name: 'up', transport: 'http', url: upstream.url }], { http: { drainMs: 100 } });
    const client = new Client({ name: 'impatient', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(harness.http.url)));
    const stuck = client.callTool({ name: 'sleep', arguments: { ms: 5_000 } }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await harness.http.close();
    // Had close() waited for the call, the call would have been answered.
    expect(await stuck).toBe('failed');
    await client.close().catch(() => undefined);
    await harness.close();
  });
});
