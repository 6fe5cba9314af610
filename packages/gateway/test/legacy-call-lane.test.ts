import { describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway.js';
import type { GatewaySession } from '../src/downstream/session.js';
import type { CallScope } from '../src/downstream/call-scope.js';
import { LegacyCallLane } from '../src/downstream/legacy-call-lane.js';
import type { JSONRPCMessage } from '../src/sdk/mcp.js';

// Which messages of a 2025 session the lane takes from the Server, and what it sends back. Pure
// logic over a catalogue and the upstreams' eras; the real sessions are in test/gateway-legacy-lane.test.ts.
function setup(options: { version?: string; eras?: Record<string, string>; answer?: (scope: CallScope) => Promise<unknown>; seam?: boolean } = {}) {
  const eras = options.eras ?? { old: '2025' };
  const gateway = {
    catalog: () => ({ tools: new Map([['t', { members: Object.keys(eras) }]]) }),
    router: { pool: { state: (name: string) => ({ era: eras[name] }) } },
  } as unknown as Gateway;
  const scopes: CallScope[] = [];
  const via: string[] = [];
  const callTool = (_params: unknown, scope: CallScope) => {
    scopes.push(scope);
    return options.answer ? options.answer(scope) : Promise.resolve({ content: [] });
  };
  const session = {
    server: { getNegotiatedProtocolVersion: () => ('version' in options ? options.version : '2025-11-25'), notification: async () => undefined, request: async () => ({}) },
    callTool: (params: unknown, scope: CallScope) => (via.push('callTool'), callTool(params, scope)),
    // The Server's input-required seam, when the SDK has it (the real one: test/gateway-legacy-lane.test.ts).
    callToolAsServer: options.seam ? (params: unknown, scope: CallScope) => (via.push('seam'), callTool(params, scope)) : undefined,
  } as unknown as GatewaySession;
  const sent: JSONRPCMessage[] = [];
  const lane = new LegacyCallLane(gateway, session, { send: async (m) => void sent.push(m) });
  return { lane, sent, scopes, via };
}

const call = (params: Record<string, unknown> = {}, id: number | string = 1) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 't', arguments: {}, ...params } }) as JSONRPCMessage;
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the 2025 session call lane', () => {
  it('takes a plain call to tools behind 2025 upstreams, and answers it on the transport', async () => {
    const { lane, sent } = setup({ answer: async () => ({ structuredContent: { a: 1 } }) });
    expect(lane.intercept(call())).toBe(true);
    await settle();
    // A contentless result gains content: [] as the SDK's Server gives it.
    expect(sent).toEqual([{ jsonrpc: '2.0', id: 1, result: { structuredContent: { a: 1 }, content: [] } }]);
  });

  it('answers a failure as the SDK does: its code, message and data, -32002 as -32602, anything else -32603', async () => {
    const failures = [Object.assign(new Error('nope'), { code: -32602, data: { x: 1 } }), Object.assign(new Error('gone'), { code: -32002 }), new Error('boom')];
    const { lane, sent } = setup({ answer: async () => Promise.reject(failures.shift()) });
    for (const id of [1, 2, 3]) lane.intercept(call({}, id));
    await settle();
    expect(sent).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'nope', data: { x: 1 } } },
      { jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'gone' } },
      { jsonrpc: '2.0', id: 3, error: { code: -32603, message: 'boom' } },
    ]);
  });

  it('leaves to the Server what the SDK does more for: a 2026-07-28 upstream (its input_required shim), progress, tasks, no initialize yet', () => {
    expect(setup({ eras: { old: '2025', new: '2026' } }).lane.intercept(call())).toBe(false);
    expect(setup({ eras: { unprobed: undefined as unknown as string } }).lane.intercept(call())).toBe(false);
    expect(setup({ version: undefined }).lane.intercept(call())).toBe(false);
    const { lane } = setup();
    expect(lane.intercept(call({ _meta: { progressToken: 'p' } }))).toBe(false);
    expect(lane.intercept(call({ task: { ttl: 1 } }))).toBe(false);
    expect(lane.intercept(call({ _meta: { 'io.modelcontextprotocol/related-task': { taskId: 'x' } } }))).toBe(false);
    expect(lane.intercept({ jsonrpc: '2.0', id: 1, method: 'tools/list' } as JSONRPCMessage)).toBe(false);
    expect(lane.intercept({ jsonrpc: '2.0', method: 'notifications/initialized' } as JSONRPCMessage)).toBe(false);
  });

  it('takes calls to tools behind 2026-07-28 upstreams when the Server\'s input-required seam is there, and runs them through it', async () => {
    const { lane, sent, via } = setup({ eras: { old: '2025', new: '2026' }, seam: true });
    expect(lane.intercept(call())).toBe(true);
    await settle();
    expect(via).toEqual(['seam']);
    expect(sent).toEqual([{ jsonrpc: '2.0', id: 1, result: { content: [] } }]);
    // Behind 2025 upstreams only, no input_required can come back: the handler runs as it is.
    const legacy = setup({ eras: { old: '2025' }, seam: true });
    expect(legacy.lane.intercept(call())).toBe(true);
    await settle();
    expect(legacy.via).toEqual(['callTool']);
    // Progress and tasks still go to the Server.
    expect(lane.intercept(call({ _meta: { progressToken: 'p' } }))).toBe(false);
  });

  it('aborts a call the client cancels, and sends no answer for it; the Server is told too', async () => {
    let release!: () => void;
    const { lane, sent, scopes } = setup({ answer: () => new Promise((resolve) => (release = () => resolve({ content: [] }))) });
    expect(lane.intercept(call({}, 'c1'))).toBe(true);
    await settle();
    expect(lane.intercept({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'c1' } } as JSONRPCMessage)).toBe(false);
    expect(scopes[0]!.mcpReq.signal.aborted).toBe(true);
    release();
    await settle();
    expect(sent).toEqual([]);
  });

  it('abandons every call in flight when the session ends', async () => {
    const { lane, scopes } = setup({ answer: () => new Promise(() => undefined) });
    lane.intercept(call({}, 1));
    lane.intercept(call({}, 2));
    await settle();
    lane.abortAll();
    expect(scopes.map((s) => s.mcpReq.signal.aborted)).toEqual([true, true]);
  });
  it('gives every call one request shape: the signal getter on a shared prototype, _meta only when the call had one', async () => {
    // A getter written in an object literal is an own accessor per object, and V8 gives each such
    // object a hidden class of its own in old space; through the getter's closure that map kept each
    // whole call alive past the scavenges that should have freed it (docs/benchmarks.md, session 21).
    const { lane, scopes } = setup();
    lane.intercept(call({}, 1));
    lane.intercept(call({ _meta: { trace: 'x' } }, 2));
    await settle();
    const [plain, traced] = scopes.map((s) => s.mcpReq);
    expect(Object.getOwnPropertyDescriptor(plain!, 'signal')).toBeUndefined();
    expect(Object.getPrototypeOf(plain)).toBe(Object.getPrototypeOf(traced));
    expect(typeof Object.getOwnPropertyDescriptor(Object.getPrototypeOf(plain), 'signal')?.get).toBe('function');
    expect('_meta' in plain!).toBe(false);
    expect(traced!._meta).toEqual({ trace: 'x' });
    // The getter still reads the call's own cancellation: one signal per call, the same each time.
    expect(plain!.signal).toBe(plain!.signal);
    expect(plain!.signal).not.toBe(traced!.signal);
    expect(plain!.cancel?.aborted).toBe(false);
  });
});
