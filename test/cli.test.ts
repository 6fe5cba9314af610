// The built `switchboard` binary, run as a user would, against real fixture servers.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startHttpFixture, stdioFixtureEntry, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const run = promisify(execFile);

async function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 30_000, ...options });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
let search: HttpFixture;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  search = await startHttpFixture({ name: 'search-a', tools: ['web_search', 'fail'] });
  writeFileSync(
    join(dir, 'switchboard.yaml'),
    [
      'routing_strategy: load_balance',
      'load_balancing_strategy: round_robin',
      'initial_servers:',
      `  - { name: search-a, transport: http, url: "${search.url}", capabilities: [search] }`,
      `  - ${JSON.stringify(stdioFixtureEntry('compute', ['calculate'], { capabilities: ['compute'] }))}`,
    ].join('\n'),
  );
  writeFileSync(join(dir, 'bad.yaml'), 'routing_strategy: fastest\nfailover: { maxAttempts: -2 }\n');
  writeFileSync(join(dir, 'claude.json'), JSON.stringify({ mcpServers: { calc: { command: stdioFixtureEntry('x', []).command, args: stdioFixtureEntry('calc', ['calculate']).args } } }));
});

afterAll(async () => {
  await search.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('switchboard CLI', () => {
  it('demo prints the pattern sections and exits 0', async () => {
    const r = await cli(['demo']);
    expect(r.code).toBe(0);
    for (const section of ['Discovered 3 services', '=== Routing Requests ===', '=== Service Health ===', '=== Performance Report ===', 'example complete'])
      expect(r.stdout).toContain(section);
    expect(r.stdout).toMatch(/Request 1: service=search-server-1/);
    expect(r.stdout).toMatch(/Request 2: service=compute-server .*= 35/);
    expect(r.stdout).toMatch(/Request 3: service=search-server-2, failover_attempts=1, primary_service_failed=search-server-1/);
    expect(r.stdout).toMatch(/Total routing decisions: 3/);
  });

  it('discover lists services with capabilities and tools, as text and JSON', async () => {
    const text = await cli(['discover', '--config', join(dir, 'switchboard.yaml')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Discovered 2 services');
    expect(text.stdout).toMatch(/search-a.*\n.*'search', 'web_search', 'fail'/);
    const json = await cli(['discover', '-c', join(dir, 'switchboard.yaml'), '--json']);
    const services = JSON.parse(json.stdout) as Record<string, { tools: string[] }>;
    expect(services.compute!.tools).toEqual(['calculate']);
  });

  it('discover reads an MCP client config file as it is', async () => {
    const r = await cli(['discover', '-c', join(dir, 'claude.json'), '--json']);
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout) as object)).toEqual(['calc']);
  });

  it("reads a servers file relative to the config file, and one under ~ (VS Code's servers format)", async () => {
    const project = join(dir, 'project');
    const home = join(dir, 'home');
    mkdirSync(project, { recursive: true });
    mkdirSync(join(home, '.config'), { recursive: true });
    const entry = (name: string) => ({ [name]: { type: 'http', url: search.url } });
    writeFileSync(join(project, 'servers.json'), JSON.stringify({ mcpServers: entry('near') }));
    writeFileSync(join(home, '.config', 'mcp.json'), JSON.stringify({ servers: entry('homed') }));
    writeFileSync(join(project, 'switchboard.yaml'), ['discovery:', '  - { type: static, file: servers.json }', '  - { type: static, file: ~/.config/mcp.json }'].join('\n'));
    // Run from elsewhere: the relative file must still be found beside the config.
    const r = await cli(['discover', '-c', join(project, 'switchboard.yaml'), '--json'], { cwd: tmpdir(), env: { ...process.env, HOME: home } });
    expect(r.stderr).not.toContain('cannot read servers file');
    expect(Object.keys(JSON.parse(r.stdout) as object).sort()).toEqual(['homed', 'near']);
  });

  it('call routes a tool call by capability', async () => {
    const r = await cli(['call', 'calculate', '--args', '{"expression":"2^10"}', '--capability', 'compute', '-c', join(dir, 'switchboard.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2^10 = 1024');
    expect(r.stderr).toContain('service=compute');
    const json = await cli(['call', 'web_search', '--args', '{"query":"q"}', '-c', join(dir, 'switchboard.yaml'), '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ success: true, serviceUsed: 'search-a', failoverAttempts: 0 });
  });

  it('call exits 1 with the reason when no service fits or the tool fails', async () => {
    const none = await cli(['call', 'translate', '-c', join(dir, 'switchboard.yaml')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('NO_SERVICE');
    const failing = await cli(['call', 'fail', '-c', join(dir, 'switchboard.yaml')]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('TOOL_ERROR');
  });

  it('health reports each service', async () => {
    const r = await cli(['health', '-c', join(dir, 'switchboard.yaml'), '--json']);
    expect(r.code).toBe(0);
    const health = JSON.parse(r.stdout) as Record<string, { healthy: boolean; status: string }>;
    expect(health['search-a']).toMatchObject({ healthy: true, status: 'healthy' });
    expect(health.compute!.healthy).toBe(true);
  });

  it('rejects bad arguments and bad config with exit 2 and a clear message', async () => {
    const badJson = await cli(['call', 'x', '--args', '{nope', '-c', join(dir, 'switchboard.yaml')]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--args is not valid JSON');
    const noConfig = await cli(['discover']);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain('--config FILE is required');
    const unknownFlag = await cli(['health', '--bogus']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain('--bogus');
    const badConfig = await cli(['discover', '-c', join(dir, 'bad.yaml')]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('bad.yaml');
    expect(badConfig.stderr).toContain('routing_strategy');
    expect(badConfig.stderr).toContain('failover.maxAttempts');
    const missing = await cli(['discover', '-c', join(dir, 'missing.yaml')]);
    expect(missing.stderr).toContain('cannot read config file');
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('takes decimal numbers only for numeric flags: not 0x50 (port 80), an empty string (port 0) or 1e3', async () => {
    const config = join(dir, 'switchboard.yaml');
    for (const [args, message] of [
      [['serve', '-c', config, '--http', '0x50'], "--http takes a port number from 0 to 65535 (got '0x50')"],
      [['serve', '-c', config, '--http', ''], "--http takes a port number from 0 to 65535 (got '')"],
      [['serve', '-c', config, '--http', '65536'], "(got '65536')"],
      [['discover', '-c', config, '--wait', '1e3'], "--wait takes milliseconds from 0 to 60000 (got '1e3')"],
      [['discover', '-c', config, '--wait', ' 5'], "(got ' 5')"],
      [['register', '--etcd', 'http://127.0.0.1:1', '--name', 'n', '--url', 'http://127.0.0.1:2/mcp', '--ttl', '0x10'], "--ttl takes seconds from 1 to 2147483647 (got '0x10')"],
      [['advertise', '--name', 'n', '--port', '8080.0'], "--port takes a port number from 1 to 65535 (got '8080.0')"],
    ] as const) {
      const r = await cli([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../packages/cli/package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V', 'version']) {
      const r = await cli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(`switchboard ${version}`);
    }
  });

  it('shows help with examples for every command', async () => {
    const r = await cli(['call', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('switchboard call web_search');
  });
});
