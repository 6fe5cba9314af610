// The gateway's 2025 call lane on its stdio endpoint (serve-stdio.ts): a plain tools/call is
// served by the lane, the same call with a harmless extra param by the SDK's stdio entry, and the
// answers are compared; a notifications/cancelled stops a lane call upstream. The gateway is the
// built one, spawned as an MCP client launches it, spoken to in raw JSON lines.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { waitFor } from './helpers/wait.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const STDIO_GATEWAY = fileURLToPath(new URL('../packages/gateway/test/fixtures/stdio-gateway.mjs', import.meta.url));

let upstream: GatewayFixture;
let child: ChildProcessWithoutNullStreams;
const answers = new Map<string | number, (message: Record<string, unknown>) => void>();
const seen: Record<string, unknown>[] = [];

function send(message: Record<string, unknown>): void {
  child.stdin.write(`${JSON.stringify(message)}\n`);
}

function request(message: Record<string, unknown> & { id: string | number }): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    answers.set(message.id, resolve);
    send(message);
  });
}

beforeAll(async () => {
  upstream = await startGatewayFixture({ name: 'remote' });
  const servers = [stdioFixtureEntry('local', ['echo', 'fail']), { name: 'remote', url: upstream.url }];
  child = spawn(process.execPath, [STDIO_GATEWAY, JSON.stringify(servers)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    seen.push(message);
    const id = message.id as string | number | undefined;
    if (id !== undefined && message.method === undefined) answers.get(id)?.(message);
  });
  await request({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
});

afterAll(async () => {
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
  await upstream.close();
});

describe('the 2025 call lane over stdio', () => {
  it('answers calls exactly as the SDK stdio entry does: results and errors', async () => {
    let id = 0;
    for (const [name, args] of [['local__echo', { text: 'same' }], ['remote__echo', { text: 'same' }], ['fail', undefined], ['nobody__here', {}]] as const) {
      const params = { name, ...(args ? { arguments: args } : {}) };
      const lane = await request({ jsonrpc: '2.0', id: ++id, method: 'tools/call', params });
      const entry = await request({ jsonrpc: '2.0', id, method: 'tools/call', params: { ...params, note: 'aside' } });
      expect(lane).toEqual(entry);
    }
    // (The two echo tools share a name, so both are prefixed; fail and hang are unique, so not.)
    expect(seen.find((m) => m.id === 1)).toMatchObject({ result: { content: [{ type: 'text', text: 'same' }] } });
    expect(seen.find((m) => m.id === 3)).toMatchObject({ result: { isError: true } });
  });

  it('stops a call the client cancels: the upstream is told, and no answer comes', async () => {
    send({ jsonrpc: '2.0', id: 'hang-1', method: 'tools/call', params: { name: 'hang', arguments: { tag: 'stdio-lane-cancel' } } });
    await waitFor(() => upstream.started.includes('stdio-lane-cancel'));
    send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'hang-1', reason: 'changed my mind' } });
    await waitFor(() => upstream.cancelled.includes('stdio-lane-cancel'));
    // Anything the gateway sent by now has been read: no answer for the cancelled call among it.
    expect((await request({ jsonrpc: '2.0', id: 'after', method: 'tools/call', params: { name: 'local__echo', arguments: { text: 'x' } } })).result).toBeDefined();
    expect(seen.filter((m) => m.id === 'hang-1')).toEqual([]);
  });
});
