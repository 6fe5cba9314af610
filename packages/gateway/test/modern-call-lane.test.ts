import { describe, expect, it } from 'vitest';
import { laneCall, rememberedVerdicts } from '../src/downstream/modern-call-lane.js';

// Which requests the gateway's own 2026-07-28 lane takes. Everything it does not take goes to the
// SDK's entry; the answers both give are compared over real HTTP in test/gateway-modern-lane.test.ts.
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
  'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' },
};
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
const call = (params: Record<string, unknown> = {}, meta: Record<string, unknown> = {}, body: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text: 'hi' }, _meta: { ...ENVELOPE, ...meta }, ...params },
  ...body,
});

describe('the 2026-07-28 call lane', () => {
  it('takes a first-round tools/call whose headers agree with its body, with the client its envelope names', () => {
    const taken = laneCall(HEADERS, call());
    expect(taken).toMatchObject({ id: 7, params: { name: 'echo', arguments: { text: 'hi' } } });
    expect(taken?.client).toEqual({ protocolVersion: '2026-07-28', capabilities: { elicitation: {} }, clientInfo: { name: 'c', version: '1' } });
    // The envelope comes out of _meta, as the SDK lifts it before a handler sees the request.
    expect(taken?.envelope).toEqual(ENVELOPE);
    expect(taken?.params._meta).toBeUndefined();
    const traced = laneCall(HEADERS, call({}, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'io.modelcontextprotocol/logLevel': 'info' }));
    expect(traced?.params._meta).toEqual({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    expect(traced?.envelope).toMatchObject({ 'io.modelcontextprotocol/logLevel': 'info' });
    expect(laneCall(HEADERS, call({ arguments: undefined }))).toBeDefined();
  });

  it('leaves to the SDK what needs more than one JSON answer or a later round: progress, retries, tasks, batches', () => {
    expect(laneCall(HEADERS, call({}, { progressToken: 1 }))).toBeUndefined();
    expect(laneCall(HEADERS, call({ requestState: 'abc' }))).toBeUndefined();
    expect(laneCall(HEADERS, call({ inputResponses: {} }))).toBeUndefined();
    expect(laneCall(HEADERS, call({ task: { ttl: 1000 } }))).toBeUndefined();
    expect(laneCall(HEADERS, call({}, { 'io.modelcontextprotocol/related-task': { taskId: 't' } }))).toBeUndefined();
    expect(laneCall(HEADERS, [call()])).toBeUndefined();
    expect(laneCall(HEADERS, { ...call(), method: 'tools/list' })).toBeUndefined();
  });

  it('leaves to the SDK every request its entry would refuse: it answers those as before', () => {
    const { 'mcp-name': _name, ...noName } = HEADERS;
    expect(laneCall(noName, call())).toBeUndefined();
    expect(laneCall({ ...HEADERS, 'mcp-name': 'other' }, call())).toBeUndefined();
    expect(laneCall({ ...HEADERS, 'mcp-method': 'tools/list' }, call())).toBeUndefined();
    expect(laneCall({ ...HEADERS, 'mcp-protocol-version': '2025-11-25' }, call())).toBeUndefined();
    expect(laneCall({ ...HEADERS, accept: 'application/json' }, call())).toBeUndefined();
    expect(laneCall(HEADERS, call({}, { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }))).toBeUndefined();
    // A malformed envelope is the SDK's -32602 to give, naming the key.
    expect(laneCall(HEADERS, call({}, { 'io.modelcontextprotocol/clientInfo': 'me' }))).toBeUndefined();
    expect(laneCall(HEADERS, call({}, { 'io.modelcontextprotocol/clientCapabilities': undefined }))).toBeUndefined();
    expect(laneCall(HEADERS, call({ arguments: ['x'] }))).toBeUndefined();
    expect(laneCall(HEADERS, call({ name: 7 }))).toBeUndefined();
    expect(laneCall(HEADERS, call({}, {}, { id: null }))).toBeUndefined();
    expect(laneCall(HEADERS, call({}, {}, { id: 1.5 }))).toBeUndefined();
    expect(laneCall(HEADERS, call({}, {}, { jsonrpc: '1.0' }))).toBeUndefined();
  });

  it('remembers the classifier verdict by headers and _meta only: any other envelope is classified afresh', () => {
    for (let i = 0; i < 3; i++) {
      expect(laneCall(HEADERS, call({}, { 'io.modelcontextprotocol/clientInfo': { name: 'again', version: '1' } }))).toBeDefined();
      expect(laneCall(HEADERS, call({}, { 'io.modelcontextprotocol/clientInfo': { name: 'again' } }))).toBeUndefined();
      expect(laneCall({ ...HEADERS, 'mcp-method': 'tools/list' }, call({}, { 'io.modelcontextprotocol/clientInfo': { name: 'again', version: '1' } }))).toBeUndefined();
    }
  });

  it('remembers no verdict for a large _meta, and at most 512 however many envelopes it sees', () => {
    const before = rememberedVerdicts();
    for (let i = 0; i < 20; i++) expect(laneCall(HEADERS, call({}, { note: `${i}`.padEnd(8_000, 'x') }))).toBeDefined();
    expect(rememberedVerdicts()).toBe(before);
    for (let i = 0; i < 600; i++) laneCall(HEADERS, call({}, { n: i }));
    expect(rememberedVerdicts()).toBeLessThanOrEqual(512);
  });
});
