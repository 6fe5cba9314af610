// callUpstreamTool's 2025-era lane answers every tools/call exactly as the SDK Client's own callTool
// does: the same results, the same errors (type, code, text), the same output-schema checks, the
// same cancellation notice and timeout, the same rejection when the link dies. Both clients talk
// to the same kind of real upstream process over stdio (test/fixtures/lane-upstream.mjs).
import { Client, DEFAULT_REQUEST_TIMEOUT_MSEC } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CallMap } from '../src/call-map.js';
import { CallCancellation } from '../src/cancel-signal.js';
import { callUpstreamTool, UpstreamClient } from '../src/sdk/upstream-client.js';
import type { ToolCallOptions } from '../src/sdk/legacy-tool-call.js';

const UPSTREAM = fileURLToPath(new URL('./fixtures/lane-upstream.mjs', import.meta.url));
const opened: Client[] = [];

async function connect<C extends Client>(client: C): Promise<C> {
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [UPSTREAM] }));
  await client.listTools(); // the cached list the output-schema checks read, for both clients
  opened.push(client);
  return client;
}

const pair = (): Promise<[Client, UpstreamClient]> => Promise.all([connect(new Client({ name: 'sdk', version: '1' })), connect(new UpstreamClient({ name: 'ours', version: '1' }))]);

type Outcome = { result: unknown } | { error: string; code: unknown; type: string };

async function settle(call: Promise<unknown>): Promise<Outcome> {
  try {
    return { result: await call };
  } catch (error) {
    return { error: (error as Error).message, code: (error as { code?: unknown }).code, type: (error as Error).constructor.name };
  }
}

/** The SDK's callTool on `sdk` and the lane on `ours`, same call: both outcomes, and whether the lane left the SDK's request() alone. */
async function both(sdk: Client, ours: UpstreamClient, name: string, args: Record<string, unknown>, options: (side: 'sdk' | 'ours') => ToolCallOptions = () => ({})) {
  const request = vi.spyOn(ours, 'request');
  try {
    const sdkOptions = options('sdk');
    const [theirs, mine] = await Promise.all([
      settle(sdk.callTool({ name, arguments: args }, sdkOptions as Parameters<Client['callTool']>[1])),
      settle(callUpstreamTool(ours, { name, arguments: args }, options('ours'))),
    ]);
    return { theirs, mine, requests: request.mock.calls.length };
  } finally {
    request.mockRestore();
  }
}

interface UpstreamRecord {
  cancelled: Array<{ requestId: number; reason: string }>;
  calls: { [tool: string]: number };
}
const record = async (client: Client): Promise<UpstreamRecord> => ((await client.callTool({ name: 'record', arguments: {} }))._meta as unknown) as UpstreamRecord;

/**
 * What is still held for unanswered requests: nothing, once every call has settled. The SDK's own
 * requests wait in its Protocol's maps; lane calls in the UpstreamClient's `laneCalls`.
 */
const pending = (client: Client) => {
  const c = client as unknown as { _responseHandlers: Map<number, unknown>; _timeoutInfo: Map<number, unknown>; laneCalls?: { size: number } };
  return { handlers: c._responseHandlers.size + (c.laneCalls?.size ?? 0), timeouts: c._timeoutInfo.size };
};

/** The id the client's next request goes out with. */
const nextId = (client: Client): number => (client as unknown as { _requestMessageId: number })._requestMessageId;

let sdk: Client;
let ours: UpstreamClient;

beforeAll(async () => {
  [sdk, ours] = await pair();
  expect(ours.getProtocolEra()).toBe('legacy');
  expect(ours.lane).toBe(true);
});

afterAll(async () => {
  await Promise.all(opened.map((client) => client.close()));
});

describe('callUpstreamTool on a 2025-era upstream', () => {
  it.each([
    ['a plain result', 'echo', { text: 'hi' }],
    ['structured content that fits the output schema', 'weather', { mode: 'good' }],
    ['structured content that breaks the output schema', 'weather', { mode: 'wrong' }],
    ['no structured content from a tool with an output schema', 'weather', { mode: 'missing' }],
    ['an error result from a tool with an output schema', 'weather', { mode: 'down' }],
    ['a tool whose output schema does not compile', 'badschema', {}],
    ['a result that is not a CallToolResult', 'malformed', {}],
    ['a JSON-RPC error', 'nosuchtool', {}],
  ])('gives what the SDK gives for %s, without the SDK request funnel', async (_what, name, args) => {
    const { theirs, mine, requests } = await both(sdk, ours, name, args);
    expect(mine).toEqual(theirs);
    expect(requests).toBe(0);
  });

  it('refuses the same calls the SDK refuses, and succeeds where it succeeds', async () => {
    // The table above compares; this pins what the comparisons were about, so two equal wrong answers fail.
    expect((await both(sdk, ours, 'weather', { mode: 'good' })).mine).toMatchObject({ result: { structuredContent: { celsius: 12 } } });
    expect((await both(sdk, ours, 'weather', { mode: 'wrong' })).mine).toMatchObject({ type: 'ProtocolError', error: expect.stringContaining("does not match the tool's output schema") });
    expect((await both(sdk, ours, 'weather', { mode: 'missing' })).mine).toMatchObject({ type: 'ProtocolError', error: expect.stringContaining('did not return structured content') });
    expect((await both(sdk, ours, 'malformed', {})).mine).toMatchObject({ type: 'SdkError', error: expect.stringContaining('Invalid result for tools/call') });
    expect((await both(sdk, ours, 'nosuchtool', {})).mine).toMatchObject({ type: 'ProtocolError', code: -32602, error: expect.stringContaining('Unknown tool: nosuchtool') });
    // A tool whose output schema does not compile is refused before anything is sent, by both.
    const before = (await record(ours)).calls.badschema ?? 0;
    expect((await both(sdk, ours, 'badschema', {})).mine).toMatchObject({ type: 'ProtocolError', error: expect.stringContaining('invalid outputSchema') });
    expect((await record(ours)).calls.badschema ?? 0).toBe(before);
  });

  it('cancels as the SDK does: the same rejection, and the upstream is told which request', async () => {
    const sdkCancel = new AbortController();
    const oursCancel = new CallCancellation();
    const [sdkId, oursId] = [nextId(sdk), nextId(ours)];
    const outcome = both(sdk, ours, 'slow', { ms: 10_000 }, (side) => ({ signal: side === 'sdk' ? sdkCancel.signal : oursCancel }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reason = new Error('the client left');
    sdkCancel.abort(reason);
    oursCancel.abort(reason);
    const { theirs, mine, requests } = await outcome;
    expect(mine).toEqual(theirs);
    expect(mine).toMatchObject({ type: 'SdkError', error: 'Error: the client left' });
    expect(requests).toBe(0);
    const [toSdk, toOurs] = await Promise.all([record(sdk), record(ours)]);
    expect(toOurs.cancelled.map((c) => c.reason)).toEqual(toSdk.cancelled.map((c) => c.reason));
    expect(toOurs.cancelled).toHaveLength(1);
    // Each names the id its call went out with.
    expect(toSdk.cancelled.map((c) => c.requestId)).toEqual([sdkId]);
    expect(toOurs.cancelled.map((c) => c.requestId)).toEqual([oursId]);
    expect(pending(ours)).toEqual({ handlers: 0, timeouts: 0 });
  });

  it('times out as the SDK does, and tells the upstream', async () => {
    const [a, b] = await Promise.all([record(sdk), record(ours)]);
    const { theirs, mine } = await both(sdk, ours, 'slow', { ms: 10_000 }, () => ({ timeout: 40 }));
    expect(mine).toEqual(theirs);
    expect(mine).toMatchObject({ type: 'SdkError', error: 'Request timed out' });
    const [c, d] = await Promise.all([record(sdk), record(ours)]);
    expect(d.cancelled.length - b.cancelled.length).toBe(1);
    expect(c.cancelled.length - a.cancelled.length).toBe(1);
    expect(pending(ours)).toEqual({ handlers: 0, timeouts: 0 });
  });

  it('refuses a call whose signal was already aborted, sending nothing', async () => {
    const gone = new CallCancellation();
    gone.abort(new Error('already gone'));
    const before = (await record(ours)).calls.echo ?? 0;
    const { theirs, mine } = await both(sdk, ours, 'echo', { text: 'x' }, (side) => ({ signal: side === 'sdk' ? AbortSignal.abort(new Error('already gone')) : gone }));
    expect(mine).toEqual(theirs);
    expect(mine).toMatchObject({ error: 'Error: already gone' });
    expect((await record(ours)).calls.echo ?? 0).toBe(before);
  });

  it('keeps ids apart from the SDK’s own requests when both run at once', async () => {
    // Every request's timer (the SDK's and the lane's own, both of the default length) is cleared once answered.
    const made = new Set<unknown>();
    const cleared = new Set<unknown>();
    const [realSet, realClear] = [globalThis.setTimeout, globalThis.clearTimeout];
    const setTimer = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const timer = realSet(fn, ms);
      if (ms === DEFAULT_REQUEST_TIMEOUT_MSEC) made.add(timer);
      return timer;
    }) as typeof setTimeout);
    const clearTimer = vi.spyOn(globalThis, 'clearTimeout').mockImplementation(((timer?: NodeJS.Timeout) => (cleared.add(timer), realClear(timer))) as typeof clearTimeout);
    const calls = Array.from({ length: 40 }, (_, i) => callUpstreamTool(ours, { name: 'echo', arguments: { text: `n${i}` } }));
    const lists = Array.from({ length: 5 }, () => ours.listTools());
    const answers = await Promise.all(calls);
    expect(answers.map((a) => (a.content as Array<{ text: string }>)[0]!.text)).toEqual(Array.from({ length: 40 }, (_, i) => `n${i}`));
    for (const list of await Promise.all(lists)) expect(list.tools.map((t) => t.name)).toContain('echo');
    setTimer.mockRestore();
    clearTimer.mockRestore();
    expect(pending(ours)).toEqual({ handlers: 0, timeouts: 0 });
    expect(made.size).toBe(45);
    expect([...made].filter((timer) => !cleared.has(timer))).toEqual([]);
  });

  it('leaves a call with progress to the SDK, turning a CancelSignal into its AbortSignal', async () => {
    const cancel = new CallCancellation();
    const request = vi.spyOn(ours, 'request');
    try {
      const call = callUpstreamTool(ours, { name: 'slow', arguments: { ms: 10_000 } }, { signal: cancel, onprogress: () => undefined });
      await new Promise((resolve) => setTimeout(resolve, 30));
      cancel.abort(new Error('stop'));
      await expect(call).rejects.toThrow('stop');
      expect(request).toHaveBeenCalledTimes(1);
    } finally {
      request.mockRestore();
    }
  });

  it('rejects a call in flight when the upstream dies, as the SDK does', async () => {
    const [sdk2, ours2] = await pair();
    const slowSdk = settle(sdk2.callTool({ name: 'slow', arguments: { ms: 10_000 } }));
    const slowOurs = settle(callUpstreamTool(ours2, { name: 'slow', arguments: { ms: 10_000 } }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    void sdk2.callTool({ name: 'die', arguments: {} }).catch(() => undefined);
    void callUpstreamTool(ours2, { name: 'die', arguments: {} }).catch(() => undefined);
    const [theirs, mine] = await Promise.all([slowSdk, slowOurs]);
    expect(mine).toEqual(theirs);
    expect(mine).toMatchObject({ type: 'SdkError', error: 'Connection closed' });
    expect(pending(ours2)).toEqual({ handlers: 0, timeouts: 0 });
    // The SDK's teardown leaves fresh plain Maps for a next connection; ours are CallMaps again.
    for (const name of ['_responseHandlers', '_timeoutInfo', '_progressHandlers']) expect((ours2 as unknown as Record<string, unknown>)[name]).toBeInstanceOf(CallMap);
  });
});
