// What an upstream sends while serving a call reaches the client on that call's own response
// stream, even with another call of the same session in flight: attribution is structural (the
// upstream's message came back on the POST of the request it belongs to), not "the newest call".
// A raw HTTP client, so the test sees which response stream carried what.
import { startHttpFixture, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

let harness: GatewayHarness | undefined;
let upstream: HttpFixture | undefined;
afterEach(async () => {
  await harness?.close();
  await upstream?.close();
  harness = upstream = undefined;
});

const VERSION = '2025-11-25';

async function post(url: string, body: unknown, session?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': VERSION,
      ...(session ? { 'mcp-session-id': session } : {}),
    },
    body: JSON.stringify(body),
  });
}

describe('call attribution on a session\'s own upstream', () => {
  it('delivers a log message on the stream of the call that caused it, not the newest call', async () => {
    upstream = await startHttpFixture({ name: 'slow', tools: ['log_after'] });
    harness = await startGateway([{ name: 'slow', url: upstream.url }]);
    const url = harness.http.url;
    const init = await post(url, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    const session = init.headers.get('mcp-session-id')!;
    await init.text();
    await (await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, session)).text();

    // A logs after 300 ms; B starts at 100 ms and logs after 600: when A logs, B is the newest call.
    const a = post(url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'log_after', arguments: { ms: 300, text: 'from A' } } }, session).then((r) => r.text());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const b = post(url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'log_after', arguments: { ms: 600, text: 'from B' } } }, session).then((r) => r.text());
    const [streamA, streamB] = await Promise.all([a, b]);
    expect(streamA).toContain('logged from A');
    expect(streamA).toContain('"data":"from A"');
    expect(streamA).not.toContain('from B');
    expect(streamB).toContain('"data":"from B"');
    expect(streamB).not.toContain('"data":"from A"');
  });
});
