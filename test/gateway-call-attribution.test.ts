// What an upstream sends while serving a call reaches the client on that call's own response
// stream, even with another call of the same session in flight: attribution is structural (the
// upstream's message came back on the POST of the request it belongs to), not "the newest call".
// A raw HTTP client, so the test sees which response stream carried what.
import { startHttpFixture, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { startGatewayFixture } from './helpers/gateway-fixture.js';

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

  it('sends a sampling request on the stream of the call that asked, with two calls in flight', async () => {
    const fixture = await startGatewayFixture({ name: 'asker' });
    try {
      harness = await startGateway([{ name: 'asker', url: fixture.url }]);
      const url = harness.http.url;
      const init = await post(url, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: VERSION, capabilities: { sampling: {} }, clientInfo: { name: 'raw', version: '1' } } });
      const session = init.headers.get('mcp-session-id')!;
      await init.text();
      await (await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, session)).text();
      // Each call's stream is read as it comes: the question on it is answered with that call's own word.
      const call = async (id: number, word: string): Promise<string> => {
        const res = await post(url, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'ask', arguments: { question: `for ${word}?` } } }, session);
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let text = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return text;
          text += decoder.decode(value, { stream: true });
          for (const line of text.split('\n')) {
            if (!line.startsWith('data:') || !line.includes('sampling/createMessage') || line.includes('"answered"')) continue;
            const asked = JSON.parse(line.slice(5)) as { id: string | number; params: { messages: Array<{ content: { text: string } }> } };
            // The question names the call that asked it: it must have come on that call's stream.
            expect(asked.params.messages[0]!.content.text).toBe(`for ${word}?`);
            text = text.replace(line, `${line}"answered"`);
            const answer = { jsonrpc: '2.0', id: asked.id, result: { role: 'assistant', content: { type: 'text', text: word }, model: 'm' } };
            expect((await post(url, answer, session)).status).toBe(202);
          }
        }
      };
      const [a, b] = await Promise.all([call(1, 'alpha'), call(2, 'beta')]);
      expect(a).toContain('sampled: alpha');
      expect(b).toContain('sampled: beta');
      expect(a).not.toContain('beta');
      expect(b).not.toContain('alpha');
    } finally {
      await harness?.close();
      harness = undefined;
      await fixture.close();
    }
  });
});
