// `switchboard serve` as an operator runs it: a config file, the built binary, a stock MCP client.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startHttpFixture, stdioFixtureEntry, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, stopServe } from './helpers/serve-process.js';
import { waitFor } from './helpers/wait.js';

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const TOKEN = 'serve-test-token-0123456789';
let dir: string;
let replicas: HttpFixture[];
const children: ChildProcess[] = [];

/** Fixture processes started by this test's gateways, found by their unique server name. */
function fixtureProcesses(name: string): string[] {
  try {
    // No shell: its own command line would contain the pattern and match.
    return execFileSync('pgrep', ['-f', '--', `--name ${name}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-serve-'));
  replicas = [await startHttpFixture({ name: 'r1', tools: ['echo', 'whoami'] }), await startHttpFixture({ name: 'r2', tools: ['echo', 'whoami'] })];
  const compute = stdioFixtureEntry('serve-compute-7f3a', ['calculate']);
  writeFileSync(
    join(dir, 'gateway.yaml'),
    [
      'strategy: { type: round-robin }',
      'discovery:',
      '  - type: static',
      '    servers:',
      ...replicas.map((r) => `      - { name: ${r.name}, url: "${r.url}", replicaGroup: r }`),
      `      - ${JSON.stringify(compute)}`,
      'gateway:',
      '  auth: { bearerTokens: ["${SERVE_TOKEN}"] }',
    ].join('\n'),
  );
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(replicas.map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('switchboard serve', () => {
  it('fails fast with one line when its port is taken, before connecting to any upstream', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, [BIN, 'serve', '-c', join(dir, 'gateway.yaml'), '--http', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SERVE_TOKEN: TOKEN } });
        children.push(p);
        let stderr = '';
        p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        p.once('exit', (code) => resolve({ code, stderr }));
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`switchboard serve: [LISTEN_FAILED] cannot listen on 127.0.0.1:${port}: the address is already in use (another switchboard serve, or another server on that port?); pick another with --http PORT or gateway.http.port`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('applies gateway.auth edits live (a revoked token is refused at once) and names gateway keys that need a restart', async () => {
    const file = join(dir, 'auth.yaml');
    const config = (tokens: string[], namespace = 'on-collision') =>
      [
        'discovery:',
        '  - type: static',
        '    servers:',
        `      - { name: r1, url: "${replicas[0]!.url}" }`,
        'gateway:',
        `  namespace: ${namespace}`,
        `  auth: { bearerTokens: [${tokens.map((t) => JSON.stringify(t)).join(', ')}] }`,
      ].join('\n');
    const [leaked, kept] = ['leaked-token-0123456789', 'kept-token-0123456789ab'];
    writeFileSync(file, config([leaked, kept]));
    const { url, child, stderr } = await startServe(file, process.env, children);
    const status = async (token: string) => {
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) });
      await res.text();
      return res.status;
    };
    expect(await status(leaked)).toBe(200);
    writeFileSync(file, config([kept]));
    await waitFor(() => /config reloaded.*gateway\.auth/.test(stderr()), { what: 'the auth change applied' });
    expect(await status(leaked)).toBe(401);
    expect(await status(kept)).toBe(200);
    writeFileSync(file, config([kept], 'always'));
    await waitFor(() => /take effect only after a restart.*gateway\.namespace/.test(stderr()), { what: 'the namespace restart notice' });
    await stopServe(child);
  });

  it('applies gateway.policy edits live: a tool denied in the file leaves lists and is refused naming the rule', async () => {
    const file = join(dir, 'policy.yaml');
    const config = (deny: string) =>
      ['discovery:', '  - type: static', '    servers:', `      - { name: r1, url: "${replicas[0]!.url}" }`, 'gateway:', '  pins: false', '  policy:', '    rules:', `      - { name: no-${deny}, effect: deny, tools: ["${deny}"] }`].join('\n');
    writeFileSync(file, config('echo'));
    const { url, child, stderr } = await startServe(file, process.env, children);
    const client = new Client({ name: 'policy-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['whoami']);
    writeFileSync(file, config('whoami'));
    await waitFor(() => /config reloaded.*gateway\.policy/.test(stderr()), { what: 'the policy change applied' });
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo']);
    await expect(client.callTool({ name: 'whoami' })).rejects.toThrow(/no-whoami/);
    await client.close();
    await stopServe(child);
  });

  it('serves the upstreams over HTTP with auth, balances replicas, and stops cleanly on SIGTERM', async () => {
    const { url, child, stderr } = await startServe(join(dir, 'gateway.yaml'), { ...process.env, SERVE_TOKEN: TOKEN }, children);

    expect((await fetch(new URL('/healthz', url))).status).toBe(200);
    const denied = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(denied.status).toBe(401);

    const client = new Client({ name: 'stock-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(tools).toEqual(['calculate', 'echo', 'whoami']);
    const who = [];
    for (let i = 0; i < 4; i++) who.push(((await client.callTool({ name: 'whoami' })).content as Array<{ text: string }>)[0]!.text);
    expect(who.sort()).toEqual(['r1', 'r1', 'r2', 'r2']);
    const calc = await client.callTool({ name: 'calculate', arguments: { expression: '7*6' } });
    expect(JSON.stringify(calc.content)).toContain('7*6 = 42');
    await client.close();

    expect(fixtureProcesses('serve-compute-7f3a').length).toBeGreaterThan(0);
    expect(await stopServe(child)).toBe(0);
    expect(stderr()).toContain('stopping (SIGTERM)');
    await waitFor(() => fixtureProcesses('serve-compute-7f3a').length === 0, { what: 'the stdio upstream to be gone' });
  });

  it('serves over stdio when launched by an MCP client, and exits when the client goes away', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'serve', '-c', join(dir, 'gateway.yaml'), '--stdio'],
      env: { ...process.env, SERVE_TOKEN: TOKEN } as Record<string, string>,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'desktop-client', version: '1.0.0' });
    await client.connect(transport);
    const r = await client.callTool({ name: 'echo', arguments: { text: 'through stdio' } });
    expect(JSON.stringify(r.content)).toContain('through stdio');
    await client.close();
    await waitFor(() => fixtureProcesses('serve-compute-7f3a').length === 0, { what: 'the gateway and its upstream to exit' });
  });

  it('applies policy and rate limits to its local stdio client too', async () => {
    const file = join(dir, 'stdio-limits.yaml');
    writeFileSync(
      file,
      ['discovery:', '  - type: static', '    servers:', `      - { name: r1, url: "${replicas[0]!.url}" }`, 'gateway:', '  pins: false', '  policy: { rules: [{ name: local-no-whoami, effect: deny, tools: [whoami], subjects: [local] }] }', '  rateLimits: [{ name: one-echo, tools: [echo], limit: 1, windowSeconds: 600 }]'].join('\n'),
    );
    const client = new Client({ name: 'desktop-client', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'serve', '-c', file, '--stdio'], stderr: 'pipe' }));
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
      await expect(client.callTool({ name: 'whoami' })).rejects.toMatchObject({ code: -32003 });
      expect(JSON.stringify((await client.callTool({ name: 'echo', arguments: { text: 'once' } })).content)).toContain('once');
      await expect(client.callTool({ name: 'echo', arguments: { text: 'twice' } })).rejects.toMatchObject({ code: -32004, message: expect.stringContaining('one-echo') });
    } finally {
      await client.close();
    }
  });

  it('rejects an unset environment variable and a bad gateway section with the path', async () => {
    const run = (file: string, env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, [BIN, 'serve', '-c', file, '--http', '0'], { stdio: ['ignore', 'ignore', 'pipe'], env });
        let stderr = '';
        p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        p.once('exit', (code) => resolve({ code, stderr }));
      });
    const envless = { ...process.env };
    delete envless.SERVE_TOKEN;
    const unset = await run(join(dir, 'gateway.yaml'), envless);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('SERVE_TOKEN is not set (used at gateway.auth.bearerTokens[0])');
    writeFileSync(join(dir, 'bad.yaml'), 'gateway: { namespace: sometimes, http: { port: 99999 } }\n');
    const bad = await run(join(dir, 'bad.yaml'), process.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('gateway.namespace');
    expect(bad.stderr).toContain('gateway.http.port');
  });

  it('applies an edited config file live: a new server appears for a connected client, a bad edit is refused', async () => {
    const extra = await startHttpFixture({ name: 'extra', tools: ['web_search'] });
    const file = join(dir, 'live.yaml');
    const config = (servers: string[], strategy = 'round-robin') =>
      [`strategy: { type: ${strategy} }`, 'discovery:', '  - type: static', '    servers:', ...servers.map((s) => `      - ${s}`)].join('\n');
    writeFileSync(file, config([`{ name: r1, url: "${replicas[0]!.url}" }`]));
    const { url, child, stderr } = await startServe(file, process.env, children);
    const client = new Client({ name: 'long-lived', version: '1.0.0' });
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('web_search');

    writeFileSync(file, config([`{ name: r1, url: "${replicas[0]!.url}" }`, `{ name: extra, url: "${extra.url}" }`]));
    await waitFor(() => changed > 0, { what: 'tools/list_changed after the edit' });
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('web_search');
    const r = await client.callTool({ name: 'web_search', arguments: { query: 'live' } });
    expect(JSON.stringify(r.content)).toContain('extra: 3 results for');

    writeFileSync(file, 'strategy: { type: 12 }\n');
    await waitFor(() => stderr().includes('config reload rejected'), { what: 'the rejected reload' });
    expect(stderr()).toContain('strategy.type');
    expect(JSON.stringify((await client.callTool({ name: 'whoami' })).content)).toContain('r1');

    writeFileSync(file, config([`{ name: r1, url: "${replicas[0]!.url}" }`, `{ name: extra, url: "${extra.url}" }`], 'random'));
    await waitFor(() => stderr().includes('take effect only after a restart'), { what: 'the restart notice' });

    // An empty file is refused like an invalid one (taken as {}, it would drop every server).
    const rejected = stderr().split('config reload rejected').length;
    writeFileSync(file, '# nothing here yet\n');
    await waitFor(() => stderr().split('config reload rejected').length > rejected, { what: 'the empty file refused' });
    expect(stderr()).toMatch(/live\.yaml is empty/);
    expect(JSON.stringify((await client.callTool({ name: 'whoami' })).content)).toContain('r1');
    await client.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await extra.close();
  });
});
