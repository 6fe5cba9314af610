// `switchboard init` and `switchboard validate`, run in-process through their CommandSpecs with a
// capturing io, and (once the commands are wired into the CLI table) through the built binary.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfigFile, readConfigFile } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../packages/cli/src/cli.js';
import { initCommand } from '../packages/cli/src/commands/init.js';
import { validateCommand } from '../packages/cli/src/commands/validate.js';
import { checkConfig } from '../packages/cli/src/config-check.js';
import { UsageError, type CliIo } from '../packages/cli/src/io.js';

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (text: string) => void (io.stdout += text.endsWith('\n') ? text : text + '\n'),
    err: (text: string) => void (io.stderr += text.endsWith('\n') ? text : text + '\n'),
  };
  return io;
}

let dir: string;
const file = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-init-validate-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('switchboard init', () => {
  it('writes a commented starter config that parses and passes every plugin check', async () => {
    const io = capture();
    const output = file('starter.yaml');
    expect(await initCommand.run(io, { output }, [])).toBe(0);
    expect(io.stdout).toContain('Wrote');
    expect(io.stdout).toContain(`switchboard validate --config`);
    const text = readFileSync(output, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\S+switchboard\.schema\.json$/);
    for (const commented of ['# - type: mdns', '# - type: etcd', '# - type: registry']) expect(text).toContain(commented);
    const config = await loadConfigFile(output);
    expect(config.strategy).toEqual({ type: 'least-loaded', choiceCount: 2 });
    expect(config.discovery.map((d) => d.type)).toEqual(['static']);
    expect(await checkConfig(await readConfigFile(output))).toMatchObject({ valid: true, summary: { servers: ['everything', 'search'] } });
  });

  it('refuses to overwrite an existing file without --force (exit 2) and keeps it', async () => {
    const output = file('existing.yaml');
    writeFileSync(output, 'mine: true\n');
    const io = capture();
    expect(await initCommand.run(io, { output }, [])).toBe(2);
    expect(io.stderr).toMatch(/already exists; pass --force/);
    expect(readFileSync(output, 'utf8')).toBe('mine: true\n');

    const forced = capture();
    expect(await initCommand.run(forced, { output, force: true }, [])).toBe(0);
    expect(readFileSync(output, 'utf8')).toContain('# yaml-language-server');
    await expect(loadConfigFile(output)).resolves.toMatchObject({ strategy: { type: 'least-loaded' } });
  });

  it('points the schema comment at --schema', async () => {
    const output = file('local-schema.yaml');
    expect(await initCommand.run(capture(), { output, schema: './switchboard.schema.json' }, [])).toBe(0);
    expect(readFileSync(output, 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/switchboard\.schema\.json\n/);
  });

  it('exits 1 with the path when the file cannot be written', async () => {
    const io = capture();
    expect(await initCommand.run(io, { output: file('missing-dir/x.yaml') }, [])).toBe(1);
    expect(io.stderr).toContain('cannot write');
  });
});

describe('switchboard validate', () => {
  it('prints valid and a one-line summary without starting discovery (exit 0)', async () => {
    // Neither server exists: validate must not try to spawn or connect to them.
    writeFileSync(
      file('ok.yaml'),
      [
        'discovery:',
        '  - type: static',
        '    servers:',
        '      - { name: a, command: definitely-not-a-real-command-xyz }',
        '      - { name: b, url: "http://127.0.0.1:9/mcp" }',
        '    mcpServers: { c: { command: node } }',
        '  - { type: mdns, interface: 127.0.0.1 }',
        'strategy: { type: latency }',
        'health: false',
      ].join('\n'),
    );
    const io = capture();
    expect(await validateCommand.run(io, { config: file('ok.yaml') }, [])).toBe(0);
    expect(io.stdout.trim()).toBe('valid: 2 discovery sources (static, mdns), strategy latency, health off, 3 servers listed (a, b, c)');
    expect(io.stderr).toBe('');
  });

  it('accepts the pattern names and reports them mapped', async () => {
    writeFileSync(file('pattern.yaml'), 'routing_strategy: load_balance\nload_balancing_strategy: random\ninitial_servers:\n  - { name: s, url: "http://127.0.0.1:9/mcp" }\n');
    const io = capture();
    expect(await validateCommand.run(io, { config: file('pattern.yaml'), json: true }, [])).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ valid: true, discovery: ['static'], strategy: 'random', health: 'ping', servers: ['s'] });
  });

  it('lists every base-schema problem with its path (exit 2)', async () => {
    writeFileSync(file('bad.yaml'), 'routing_strategy: fastest\nfailover: { maxAttempts: -2 }\ntypo: 1\n');
    const io = capture();
    expect(await validateCommand.run(io, { config: file('bad.yaml') }, [])).toBe(2);
    expect(io.stderr).toMatch(/^invalid: .*bad\.yaml \(3 problems\)/);
    for (const path of ['routing_strategy', 'failover.maxAttempts', '(root)']) expect(io.stderr).toContain(`  - ${path}: `);
    expect(io.stdout).toBe('');
  });

  it("checks each plugin's options and types, all problems at once (exit 2)", async () => {
    writeFileSync(
      file('plugins.yaml'),
      [
        'discovery:',
        '  - { type: mdns, interface: not-an-ip }',
        '  - { type: etcd, endpoints: [] }',
        '  - { type: consul }',
        '  - { type: static, servers: [{ name: x }] }',
        'strategy: { type: least-loaded, choiceCount: 1 }',
        'health: { type: ping, extra: 1 }',
      ].join('\n'),
    );
    const io = capture();
    expect(await validateCommand.run(io, { config: file('plugins.yaml'), json: true }, [])).toBe(2);
    const report = JSON.parse(io.stdout) as { valid: boolean; problems: Array<{ path: string; message: string }> };
    expect(report.valid).toBe(false);
    const paths = report.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['discovery[0].interface', 'discovery[1].endpoints', 'discovery[2].type', 'strategy.choiceCount', 'health']),
    );
    expect(paths.some((p) => p.startsWith('discovery[3].servers[0]'))).toBe(true);
    expect(report.problems.find((p) => p.path === 'discovery[2].type')?.message).toMatch(/no discovery plugin named 'consul'/);
  });

  it('catches misspelled server-entry keys with a did-you-mean, together with every other problem', async () => {
    writeFileSync(
      file('typos.yaml'),
      [
        'discovry: []',
        'discovery:',
        '  - type: static',
        '    servers:',
        '      - { name: a, command: node, arg: [server.js], enviroment: { KEY: v } }',
        '    mcpServers:',
        '      b: { url: "http://127.0.0.1:9/mcp", header: { x: y } }',
      ].join('\n'),
    );
    const io = capture();
    expect(await validateCommand.run(io, { config: file('typos.yaml'), json: true }, [])).toBe(2);
    const { problems } = JSON.parse(io.stdout) as { problems: Array<{ path: string; message: string }> };
    // The top-level typo and the ones inside plugin options come in one report.
    expect(problems.find((p) => p.path === '(root)')?.message).toMatch(/'discovry' \(did you mean 'discovery'\?\)/);
    const server = problems.find((p) => p.path === 'discovery[0].servers[0]')?.message;
    expect(server).toMatch(/'arg' \(did you mean 'args'\?\)/);
    expect(server).toMatch(/'enviroment' \(did you mean 'env'\?\)/);
    expect(problems.find((p) => p.path.startsWith('discovery[0].mcpServers.b'))?.message).toMatch(/'header' \(did you mean 'headers'\?\)/);
  });

  it('accepts the keys MCP clients write, and reports a servers file that is missing or holds bad entries', async () => {
    writeFileSync(
      file('client.json'),
      JSON.stringify({ mcpServers: { ok: { command: 'node', disabled: true, autoApprove: ['x'] }, bad: { command: 'node', agrs: [] } } }),
    );
    writeFileSync(file('files.yaml'), 'discovery:\n  - { type: static, file: client.json }\n  - { type: static, file: ./does-not-exist.json }\n');
    const io = capture();
    expect(await validateCommand.run(io, { config: file('files.yaml'), json: true }, [])).toBe(2);
    const { problems } = JSON.parse(io.stdout) as { problems: Array<{ path: string; message: string }> };
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ path: 'discovery[0].file', message: expect.stringMatching(/skipping server 'bad'.*'agrs' \(did you mean 'args'\?\)/) });
    expect(problems[1]).toMatchObject({ path: 'discovery[1].file', message: expect.stringMatching(/cannot read servers file .*does-not-exist\.json: ENOENT/) });
  });

  it('reports an unknown plugin package under plugins[i]', async () => {
    writeFileSync(file('pkg.yaml'), 'plugins: ["@nonexistent/switchboard-plugin-xyz"]\n');
    const result = await checkConfig(await readConfigFile(file('pkg.yaml')), { resolveFrom: [dir] });
    expect(result).toMatchObject({ valid: false, problems: [{ path: 'plugins[0]' }] });
  });

  it('checks the gateway section as serve would, without echoing a secret', async () => {
    writeFileSync(file('gw.yaml'), 'gateway:\n  sessionSecret: too-short-secret\n  namespace: sometimes\n');
    const io = capture();
    expect(await validateCommand.run(io, { config: file('gw.yaml') }, [])).toBe(2);
    expect(io.stderr).toMatch(/gateway\.sessionSecret\[0\]: a session secret must be at least 32 characters/);
    expect(io.stderr).toMatch(/gateway\.namespace: /);
    expect(io.stderr).not.toContain('too-short-secret');
    writeFileSync(file('gw-ok.yaml'), 'gateway:\n  sessionSecret: [new-secret-0123456789abcdef0123456789, old-secret-0123456789abcdef0123456789]\n');
    expect(await validateCommand.run(capture(), { config: file('gw-ok.yaml') }, [])).toBe(0);
  });

  it('checks policy, rate limits and OAuth before they are in force: bad CEL, a rule covering nothing, a duplicate name', async () => {
    writeFileSync(
      file('policy.yaml'),
      [
        'gateway:',
        '  auth: { oauth: { issuer: not-a-url } }',
        '  policy:',
        '    rules:',
        '      - { name: a, effect: deny, tools: ["x"], when: "identity.claims.team ==" }',
        '      - { name: b, effect: allow }',
        '      - { name: a, effect: allow, tools: ["*"] }',
        '  rateLimits: [{ name: r, limit: 0, windowSeconds: 60 }]',
        '',
      ].join('\n'),
    );
    const io = capture();
    expect(await validateCommand.run(io, { config: file('policy.yaml') }, [])).toBe(2);
    expect(io.stderr).toContain('gateway.auth.oauth.issuer');
    expect(io.stderr).toContain('gateway.policy.rules[0].when: not valid CEL');
    expect(io.stderr).toContain('gateway.policy.rules[1]: a rule must cover tools, prompts or resources');
    expect(io.stderr).toContain('gateway.policy.rules[2].name: two rules are named a');
    expect(io.stderr).toContain('gateway.rateLimits[0].limit');
    writeFileSync(file('policy-ok.yaml'), 'gateway:\n  policy:\n    rules:\n      - { name: a, effect: deny, tools: ["x"], when: \'identity.claims.team == "ops"\' }\n');
    expect(await validateCommand.run(capture(), { config: file('policy-ok.yaml') }, [])).toBe(0);
  });

  it("accepts the security guide's complete secured config", async () => {
    const guide = readFileSync(new URL('../docs/security.md', import.meta.url), 'utf8');
    const yaml = /## A complete secured config\n\n```yaml\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(yaml).toBeDefined();
    writeFileSync(file('secured.yaml'), yaml!);
    const env = { TICKETS_GATEWAY_TOKEN: 'tickets-token-0123456789', GATEWAY_CLIENT_SECRET: 'client-secret-0123456789', FILES_UPSTREAM_TOKEN: 'upstream-token-0123456789', NIGHTLY_JOB_TOKEN: 'nightly-token-0123456789', SWITCHBOARD_SESSION_SECRET: 'session-secret-0123456789abcdef0123456789' };
    Object.assign(process.env, env);
    try {
      const io = capture();
      expect(await validateCommand.run(io, { config: file('secured.yaml') }, []), io.stderr).toBe(0);
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
    }
  });

  it('reports an unreadable or unparsable file as a problem (exit 2)', async () => {
    const missing = capture();
    expect(await validateCommand.run(missing, { config: file('nope.yaml'), json: true }, [])).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ valid: false, problems: [{ path: '(file)' }] });

    writeFileSync(file('broken.json'), '{ "discovery": [ }');
    const broken = capture();
    expect(await validateCommand.run(broken, { config: file('broken.json') }, [])).toBe(2);
    expect(broken.stderr).toMatch(/\(file\): config file .*broken\.json is not valid JSON/);
  });

  it('needs --config', async () => {
    await expect(validateCommand.run(capture(), {}, [])).rejects.toThrow(UsageError);
  });
});

// Once the lead adds `init` and `validate` to the command table (and builds), run them as a user would.
const wired = 'init' in commands && 'validate' in commands;
const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));

describe.skipIf(!wired)('the built CLI', () => {
  const run = promisify(execFile);
  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 30_000, cwd: dir });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('init then validate the result; init again refuses', async () => {
    expect((await cli(['init', '--output', 'cli.yaml'])).code).toBe(0);
    const valid = await cli(['validate', '--config', 'cli.yaml']);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/^valid: 1 discovery source \(static\), strategy least-loaded/);
    const again = await cli(['init', '--output', 'cli.yaml']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
  });
});
