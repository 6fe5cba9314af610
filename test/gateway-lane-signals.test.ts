// A 2025 session's plain tools/call, served by the gateway's own lane (legacy-call-lane.ts), makes
// no AbortSignal at all: the lane's per-call cancellation is a CallCancellation, which routing reads
// as it is; the attempt's is one too, which the upstream tools/call lane (callUpstreamTool) takes. On Node 20 an
// AbortSignal costs about 3 µs, and the one the lane made per call was a thirtieth of the gateway's
// CPU per call at capacity. The calls go over real HTTP (node:http, which makes no signals in this
// process, unlike fetch) to a real stdio upstream; cancellation still reaching the upstream is in
// test/gateway-legacy-lane.test.ts.
import { Agent, request } from 'node:http';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { countSignals, type SignalCount } from './helpers/signal-count.js';

let signals: SignalCount;

let harness: GatewayHarness;
let headers: Record<string, string>;
const agent = new Agent({ keepAlive: true });

function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const url = new URL(harness.http.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined }));
    });
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

beforeAll(async () => {
  harness = await startGateway([stdioFixtureEntry('local', ['echo'])]);
  headers = { 'content-type': 'application/json', accept: 'application/json' };
  const base = await fetch(harness.http.url, {
    method: 'POST',
    headers: { ...headers, accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  await base.text();
  headers = { ...headers, accept: 'application/json, text/event-stream', 'mcp-session-id': base.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
  expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
  // Warm: the upstream session is open and its tools listed before anything is counted.
  expect((await post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'warm' } } })).body).toMatchObject({ result: { content: [{ text: 'warm' }] } });
  signals = countSignals();
});

afterAll(async () => {
  signals.stop();
  agent.destroy();
  await harness.close();
});

describe('a 2025 session call on the lane', () => {
  it('makes no AbortSignal: neither for the lane’s cancellation nor for the attempt’s', async () => {
    signals.reset();
    const calls = 20;
    const answers = await Promise.all(Array.from({ length: calls }, (_, i) => post({ jsonrpc: '2.0', id: 10 + i, method: 'tools/call', params: { name: 'echo', arguments: { text: `call ${i}` } } })));
    expect(answers.map((a) => a.body)).toEqual(Array.from({ length: calls }, (_, i) => expect.objectContaining({ id: 10 + i, result: expect.objectContaining({ content: [{ type: 'text', text: `call ${i}` }] }) })));
    expect(signals.made).toBe(0);
  });
});
