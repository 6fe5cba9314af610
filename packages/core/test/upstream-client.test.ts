// The upstream client validates every result as the SDK's own Client does, but builds a method's
// validator once per era instead of once per request (the SDK probes its codec with a failing parse
// each time). Both clients talk to the same real upstream process over stdio.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UpstreamClient } from '../src/sdk/upstream-client.js';

const HOSTILE = fileURLToPath(new URL('../../../test/fixtures/hostile-upstream.mjs', import.meta.url));

async function connect(client: Client): Promise<Client> {
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [HOSTILE, 'stdio'] }));
  return client;
}

/** The settled outcome of a call, comparable between clients. */
async function outcome(client: Client, name: string, args: Record<string, unknown> = {}): Promise<unknown> {
  try {
    return { result: await client.callTool({ name, arguments: args }) };
  } catch (error) {
    return { error: (error as Error).message, code: (error as { code?: unknown }).code };
  }
}

interface CodecView {
  validateResult(method: string, raw: unknown): unknown;
}
const codecOf = (client: Client): CodecView => (client as unknown as { _wireCodec(): CodecView })._wireCodec();

let sdk: Client;
let ours: Client;

beforeAll(async () => {
  [sdk, ours] = await Promise.all([connect(new Client({ name: 'sdk', version: '1' })), connect(new UpstreamClient({ name: 'ours', version: '1' }))]);
});

afterAll(async () => {
  await Promise.all([sdk?.close(), ours?.close()]);
});

describe('UpstreamClient', () => {
  it('answers and refuses exactly as the SDK client does, call after call', async () => {
    for (let i = 0; i < 3; i++) {
      const good = await outcome(ours, 'echo', { text: `hi ${i}` });
      expect(good).toEqual(await outcome(sdk, 'echo', { text: `hi ${i}` }));
      expect(good).toMatchObject({ result: { content: [{ type: 'text', text: `hi ${i}` }] } });
      // A result whose content is not a list is refused on every call, not only the first.
      const bad = await outcome(ours, 'malformed');
      expect(bad).toEqual(await outcome(sdk, 'malformed'));
      expect(bad).toHaveProperty('error');
    }
  });

  it('asks the era codec once per result, with no probe per request', async () => {
    await ours.callTool({ name: 'echo', arguments: { text: 'warm' } });
    const codec = codecOf(ours);
    const spy = vi.spyOn(codec, 'validateResult');
    try {
      for (let i = 0; i < 5; i++) await ours.callTool({ name: 'echo', arguments: { text: String(i) } });
      const forCalls = spy.mock.calls.filter(([method]) => method === 'tools/call');
      // The SDK's client asks twice per call: a probe with undefined, then the result.
      expect(forCalls).toHaveLength(5);
      expect(forCalls.every(([, raw]) => raw !== undefined)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('leaves a method with no result in the era to the SDK, which refuses it as before', async () => {
    const ask = (client: Client) => (client.request as (r: { method: string }) => Promise<unknown>)({ method: 'no/such-method' });
    const [a, b] = await Promise.allSettled([Promise.resolve().then(() => ask(ours)), Promise.resolve().then(() => ask(sdk))]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    expect(String((a as PromiseRejectedResult).reason)).toBe(String((b as PromiseRejectedResult).reason));
  });
});
