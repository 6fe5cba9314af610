// The legacy HTTP+SSE fallback parses events inside the SDK's client, where the text-based depth
// check of the Streamable HTTP path cannot see them: an answer nested 100,000 deep must still fail
// its call at once (before: it parsed, and the call waited for its timeout, since nothing after
// JSON.parse could pass the value on). A real SDK v1 SSE server; the deep answer is written raw,
// as no SDK server could write it.
import type { ServerResponse } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { serverEntrySchema, silentLogger, toDescriptor, valueExceedsJsonDepth } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport, type StreamableHttpWithSseFallback } from '../src/index.js';
import { startLegacySseServer, type LegacySseServer } from './legacy-sse-server.js';

const DEPTH = 100_000;

/** An echo of "deep" is answered with a result nested DEPTH deep, written raw. */
function deepAnswers(message: JSONRPCMessage, stream: ServerResponse): boolean {
  const text = (message as { result?: { content?: Array<{ text?: string }> } }).result?.content?.[0]?.text;
  if (text !== 'deep' || !('id' in message)) return false;
  const nested = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
  stream.write(`event: message\ndata: {"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":{"content":[],"structuredContent":{"d":${nested}}}}\n\n`);
  return true;
}

let legacy: LegacySseServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  await legacy?.close();
  client = legacy = undefined;
});

describe('legacy HTTP+SSE, an answer nested too deep', () => {
  it('fails its call at once with the refusal, and the next call is answered', async () => {
    legacy = await startLegacySseServer(deepAnswers);
    const descriptor = toDescriptor(serverEntrySchema.parse({ name: 'legacy', url: legacy.url, transport: 'sse' }), 'test#0');
    const upstream = (await new HttpTransport().connect(descriptor, { logger: silentLogger })) as StreamableHttpWithSseFallback;
    client = new Client({ name: 't', version: '1' });
    await client.connect(upstream);
    expect(upstream.activeProtocol).toBe('sse');
    // Far below the SDK's 60 s request timeout: a failure by timeout would not name the depth.
    await expect(client.callTool({ name: 'echo', arguments: { text: 'deep' } }, undefined, { timeout: 10_000 })).rejects.toThrow(/answered with JSON nested deeper than 512 levels/);
    expect((await client.callTool({ name: 'echo', arguments: { text: 'shallow' } })).content).toEqual([{ type: 'text', text: 'shallow' }]);
  });
});

describe('valueExceedsJsonDepth', () => {
  it('measures a parsed value as the text check measures its JSON', () => {
    const nest = (depth: number): unknown => {
      let v: unknown = { leaf: 1 };
      for (let i = 1; i < depth; i++) v = i % 2 ? [v] : { a: v };
      return v;
    };
    expect(valueExceedsJsonDepth(nest(512))).toBe(false);
    expect(valueExceedsJsonDepth(nest(513))).toBe(true);
    // The object, its array, each element, each x: four levels however wide.
    const wide = { wide: Array.from({ length: 1000 }, () => ({ x: [1] })) };
    expect(valueExceedsJsonDepth(wide, 4)).toBe(false);
    expect(valueExceedsJsonDepth(wide, 3)).toBe(true);
    expect(valueExceedsJsonDepth('text')).toBe(false);
  });
});
