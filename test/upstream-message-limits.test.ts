// Hardening: one upstream must never take the gateway down by the size of what it sends. Real
// upstream processes (a raw-wire MCP server over HTTP and over stdio) send oversized JSON bodies,
// SSE events, stdout lines, stderr lines, tool lists and GET-stream events; each is refused while
// it is read, only the call it answers fails (with a clear error), the upstream is reported in the
// log, and every other call, on the same upstream and on others, goes on.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { captureLogs, hostileStdioEntry, startHostileHttp, type HostileHttp } from './helpers/hostile.js';
import { waitFor } from './helpers/wait.js';

const MiB = 1024 * 1024;
const LIMIT = 1 * MiB;

let good: GatewayFixture;
let hostile: HostileHttp;
let hostileDefault: HostileHttp;
let hostileList: HostileHttp;
let hostileGet: HostileHttp;
let harness: GatewayHarness;
let client: Client;
const logs = captureLogs('info');

beforeAll(async () => {
  [good, hostile, hostileDefault, hostileList, hostileGet] = await Promise.all([
    startGatewayFixture({ name: 'good' }),
    startHostileHttp(),
    startHostileHttp(),
    startHostileHttp(['--description-bytes', String(50 * MiB)]),
    startHostileHttp(['--get-event-bytes', String(20 * MiB)]),
  ]);
  harness = await startGateway(
    [
      { name: 'good', transport: 'http', url: good.url },
      { name: 'h', transport: 'http', url: hostile.url, maxMessageBytes: LIMIT },
      { name: 'hdefault', transport: 'http', url: hostileDefault.url },
      { name: 'hlist', transport: 'http', url: hostileList.url, maxMessageBytes: LIMIT },
      { name: 'hget', transport: 'http', url: hostileGet.url, maxMessageBytes: LIMIT },
      hostileStdioEntry('s', { maxMessageBytes: LIMIT }),
    ],
    { namespace: 'always', logger: logs.logger },
  );
  client = await harness.connect();
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await Promise.all([good, hostile, hostileDefault, hostileList, hostileGet].map((u) => u?.close()));
});

/** The error text a tool call through the gateway ended with (a JSON-RPC error or an error result). */
async function failure(name: string, args: Record<string, unknown>): Promise<string> {
  try {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError).toBe(true);
    return firstText(result);
  } catch (error) {
    return (error as Error).message;
  }
}

async function stillServing(): Promise<void> {
  expect(firstText(await client.callTool({ name: 'good__echo', arguments: { text: 'ok' } }))).toBe('ok');
  expect(firstText(await client.callTool({ name: 'h__echo', arguments: { text: 'same upstream' } }))).toBe('same upstream');
  expect(firstText(await client.callTool({ name: 's__echo', arguments: { text: 'stdio' } }))).toBe('stdio');
}

function reported(service: string): boolean {
  return logs.lines().some((l) => l.msg === 'upstream message refused: too large' && l.service === service);
}

describe('upstream message size bounds', () => {
  it('refuses an oversized JSON body over HTTP and fails only that call', async () => {
    expect(await failure('h__big', { bytes: 5 * MiB })).toMatch(/more than 1048576 bytes.*maxMessageBytes/);
    expect(reported('h')).toBe(true);
    await stillServing();
  });

  it('refuses an oversized SSE event on a POST stream', async () => {
    expect(await failure('h__big', { bytes: 5 * MiB, sse: true })).toMatch(/SSE event of more than 1048576 bytes/);
    await stillServing();
  });

  it('applies a 16 MiB default when the server entry sets none, and passes what is under it', async () => {
    expect(await failure('hdefault__big', { bytes: 20 * MiB })).toMatch(/more than 16777216 bytes/);
    const under = await client.callTool({ name: 'hdefault__big', arguments: { bytes: 2 * MiB } });
    expect(firstText(under)).toHaveLength(2 * MiB);
  });

  it('refuses an oversized stdout line from a stdio upstream, keeping the process and its other calls', async () => {
    const restarts = async () => (await harness.router.getServiceHealth()).s?.restarts;
    const restartsBefore = await restarts();
    expect(restartsBefore).toBeTypeOf('number');
    // The SDK writes the id last; some servers write it first: either way the call fails at once.
    expect(await failure('s__big', { bytes: 5 * MiB })).toMatch(/message of \d+ bytes, over maxMessageBytes \(1048576\)/);
    expect(await failure('s__id_first_big', { bytes: 5 * MiB })).toMatch(/over maxMessageBytes/);
    expect(reported('s')).toBe(true);
    await stillServing();
    expect(await restarts()).toBe(restartsBefore);
  });

  it('survives 600 MB of stderr without a newline from a stdio upstream', async () => {
    const rssBefore = process.memoryUsage().rss;
    const result = await client.callTool({ name: 's__stderr_flood', arguments: { bytes: 600 * MiB } }, undefined, { timeout: 60_000 });
    expect(firstText(result)).toBe('flooded');
    // The line was cut, not held: far less than the 600 MB (1.2 GB as a string) it would take whole.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * MiB);
    // Logged as it went over (its first 8 KB), and its size once it ended.
    const head = logs.lines().find((l) => l.msg === 'upstream stderr' && l.service === 's' && l.cut === true);
    expect(String(head?.line)).toMatch(/^a{512,8192}$/);
    const end = await waitFor(() => logs.lines().find((l) => l.msg === 'upstream stderr line cut' && l.service === 's'), { what: 'the cut line reported' });
    expect(end.bytes).toBeGreaterThan(600 * MiB - 1);
    await stillServing();
  }, 90_000);

  it('leaves out the tools of an upstream whose tool list is over the limit, and lists the others', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toContain('good__echo');
    expect(names).toContain('h__echo');
    expect(names.some((n) => n.startsWith('hlist__'))).toBe(false);
    expect(reported('hlist')).toBe(true);
  });

  it('drops an oversized event on the GET stream and keeps serving that upstream', async () => {
    await waitFor(() => reported('hget'), { what: 'the GET-stream event refused' });
    expect(firstText(await client.callTool({ name: 'hget__echo', arguments: { text: 'after' } }))).toBe('after');
    await stillServing();
  });
});
