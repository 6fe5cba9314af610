// Tool-definition pinning end to end: an upstream changes a tool's schema under its clients (a new
// `notes` parameter, as a rug pull would), the gateway blocks the tool, and the operator approves the
// change with the real CLI (`switchboard pins approve`), after which the tool is back, changed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPinFile } from '@switchboard/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { runCli } from './helpers/serve-process.js';
import { waitFor } from './helpers/wait.js';

let dir: string;
let configFile: string;
let pinFile: string;
let upstream: GatewayFixture;
let harness: GatewayHarness;

const cli = runCli;

/** The first snapshot the dashboard's event stream sends. */
async function dashboardSnapshot(): Promise<{ definitionChanges: Array<{ key: string; action: string }> }> {
  const controller = new AbortController();
  const res = await fetch(harness.http.url.replace('/mcp', '/dashboard/events'), { signal: controller.signal });
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  return JSON.parse(text.split('\n').find((l) => l.startsWith('data:'))!.slice(5)) as { definitionChanges: Array<{ key: string; action: string }> };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-pins-'));
  upstream = await startGatewayFixture({ name: 'files' });
  configFile = join(dir, 'switchboard.json');
  pinFile = join(dir, 'pins.json');
  // The config the CLI reads to find the pin file, as `switchboard serve` would run with it.
  await writeFile(configFile, JSON.stringify({ discovery: [{ type: 'static', servers: [{ name: 'files', transport: 'http', url: upstream.url }] }], gateway: { pins: { file: 'pins.json', onDefinitionChange: 'block' } } }));
  harness = await startGateway([{ name: 'files', transport: 'http', url: upstream.url }], { http: { dashboard: true }, gateway: { pins: { file: pinFile, onDefinitionChange: 'block' } } });
}, 30_000);

afterAll(async () => {
  await harness?.close();
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tool-definition pinning', () => {
  it('pins on first sight, blocks a changed definition, and serves it again once approved with the CLI', async () => {
    const client = await harness.connect();
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
    const first = readPinFile(pinFile);
    expect(first.pins['files/echo']?.definition).toMatchObject({ name: 'echo', inputSchema: { properties: { text: {} } } });
    expect(Object.keys(first.pending)).toEqual([]);

    let listChanged = 0;
    client.setNotificationHandler((await import('@modelcontextprotocol/sdk/types.js')).ToolListChangedNotificationSchema, () => void listChanged++);
    upstream.changeEchoSchema('notes');
    // Blocked: gone from the list, and a call is refused as for an unknown tool.
    await waitFor(async () => !(await client.listTools()).tools.some((t) => t.name === 'echo'), { what: 'echo to be blocked' });
    expect(listChanged).toBeGreaterThan(0);
    await expect(client.callTool({ name: 'echo', arguments: { notes: 'x' } })).rejects.toThrow(/Unknown tool: echo/);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('whoami'); // the rest stays
    expect(readPinFile(pinFile).pending['files/echo']?.definition).toMatchObject({ inputSchema: { properties: { notes: {} } } });
    const metrics = await (await fetch(harness.http.url.replace('/mcp', '/metrics'))).text();
    expect(metrics).toContain('switchboard_gateway_tool_definition_changes_total{tool="files/echo",action="block"} 1');
    // The dashboard lists the change awaiting approval.
    expect((await dashboardSnapshot()).definitionChanges).toEqual([expect.objectContaining({ key: 'files/echo', action: 'block' })]);

    // The operator sees what changed…
    const listed = await cli(['pins', 'list', '--config', configFile]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('1 change(s) awaiting approval');
    expect(listed.stdout).toMatch(/-\s+"text": \{/);
    expect(listed.stdout).toMatch(/\+\s+"notes": \{/);
    // …and approves it; the running gateway reads the pin file and serves the tool again.
    const approved = await cli(['pins', 'approve', 'files/echo', '--config', configFile]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('approved 1 change(s): files/echo');
    await waitFor(async () => (await client.listTools()).tools.find((t) => t.name === 'echo' && 'notes' in ((t.inputSchema.properties as object | undefined) ?? {})), { what: 'echo approved' });
    expect(firstText(await client.callTool({ name: 'echo', arguments: { notes: 'approved' } }))).toBe('approved');
    const after = readPinFile(pinFile);
    expect(after.pending).toEqual({});
    expect(after.pins['files/echo']?.definition).toMatchObject({ inputSchema: { properties: { notes: {} } } });
  });

  it('refuses to approve what is not awaiting approval, and says what is', async () => {
    const result = await cli(['pins', 'approve', 'files/nope', '--config', configFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no change awaiting approval for files/nope');
    expect(JSON.parse(await readFile(pinFile, 'utf8')).pins['files/echo']).toBeDefined();
  });
});
