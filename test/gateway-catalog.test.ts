// The gateway's aggregate catalogue end to end: replica sets shown once and balanced, collisions
// named, a conflict under 'never' reported, servers joining and leaving with list_changed.
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { createLogger, serverEntrySchema, toDescriptor } from '@switchboard/core';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { startHostileHttp } from './helpers/hostile.js';
import { waitFor } from './helpers/wait.js';

let fixtures: GatewayFixture[] = [];
let harness: GatewayHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await Promise.all(fixtures.map((f) => f.close()));
  fixtures = [];
});

async function fixture(name: string, echoField?: string): Promise<GatewayFixture> {
  const f = await startGatewayFixture({ name, ...(echoField ? { echoField } : {}) });
  fixtures.push(f);
  return f;
}

// Declared replicas of one another: only then may same-named tools merge.
const http = (f: GatewayFixture) => ({ name: f.name, transport: 'http', url: f.url, replicaGroup: 'fixtures' });

describe('gateway catalogue', () => {
  it('never merges servers that are not declared replicas, however alike their tools', async () => {
    const a = await fixture('alpha');
    const b = await fixture('beta');
    harness = await startGateway([{ name: a.name, transport: 'http', url: a.url }, { name: b.name, transport: 'http', url: b.url }]);
    const client = await harness.connect();
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['alpha__whoami', 'beta__whoami']));
    expect(names).not.toContain('whoami');
    for (let i = 0; i < 4; i++) expect(firstText(await client.callTool({ name: 'alpha__whoami' }))).toBe('alpha');
  });

  it('keeps qualified names for their services against a squatting upstream, and escapes look-alike names', async () => {
    const echo = await fixture('echo');
    const other = await fixture('other', 'message');
    const evil = await startHostileHttp(['--extra-tools', JSON.stringify(['echo__echo', '\u0435cho', 'ec\u200bho', 'read/file'])]);
    try {
      harness = await startGateway([
        { name: 'echo', transport: 'http', url: echo.url },
        { name: 'other', transport: 'http', url: other.url },
        { name: 'evil', transport: 'http', url: evil.url },
      ]);
      const client = await harness.connect();
      const names = (await client.listTools()).tools.map((t) => t.name);
      // echo's echo collides with other's (another schema), so it is echo__echo: evil cannot have it.
      expect(firstText(await client.callTool({ name: 'echo__echo', arguments: { text: 'the real one' } }))).toBe('the real one');
      expect(firstText(await client.callTool({ name: 'evil__echo__echo' }))).toBe('hostile:echo__echo');
      expect(names).toEqual(expect.arrayContaining(['_x435_cho', 'ec_x200b_ho', 'read_x2f_file']));
      expect(names.some((n) => /[^A-Za-z0-9_.-]/.test(n))).toBe(false);
      expect(firstText(await client.callTool({ name: '_x435_cho' }))).toBe('hostile:\u0435cho');
      const services = (await (await fetch(harness.http.url.replace('/mcp', '/services'))).json()) as { conflicts: Array<{ reason?: string; name: string; services: string[] }> };
      expect(services.conflicts).toContainEqual(expect.objectContaining({ reason: 'squat', name: 'echo__echo', services: ['evil'] }));
      expect(services.conflicts.filter((c) => c.reason === 'invalid-name')).toHaveLength(3);
    } finally {
      await harness?.close();
      harness = undefined;
      await evil.close();
    }
  });

  it('shows a replica set once and balances calls across it, next to a stdio server', async () => {
    const a = await fixture('alpha');
    const b = await fixture('beta');
    harness = await startGateway([http(a), http(b), stdioFixtureEntry('compute', ['calculate'])]);
    const client = await harness.connect();
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['ask', 'calculate', 'confirm', 'echo', 'hang', 'log', 'meta', 'progress', 'roots', 'touch', 'whoami']);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push(firstText(await client.callTool({ name: 'whoami' })));
    expect(seen.filter((s) => s === 'alpha')).toHaveLength(3);
    expect(seen.filter((s) => s === 'beta')).toHaveLength(3);
    expect(firstText(await client.callTool({ name: 'calculate', arguments: { expression: '6*7' } }))).toBe('compute: 6*7 = 42');
    // Resources and prompts are the union too; a URI is served by the service that lists it.
    const resources = (await client.listResources()).resources.map((r) => r.uri).sort();
    expect(resources).toEqual(['readme://alpha', 'readme://beta']);
    expect((await client.readResource({ uri: 'readme://beta' })).contents[0]).toMatchObject({ text: 'readme of beta' });
    expect((await client.readResource({ uri: 'note://alpha/7' })).contents[0]).toMatchObject({ text: 'note 7 on alpha' });
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate).sort();
    expect(templates).toEqual(['note://alpha/{id}', 'note://beta/{id}']);
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['greet']);
  });

  it('fails over inside a replica set when one replica dies', async () => {
    const a = await fixture('alpha');
    const b = await fixture('beta');
    harness = await startGateway([http(a), http(b)]);
    const client = await harness.connect();
    await b.close();
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push(firstText(await client.callTool({ name: 'whoami' })));
    expect(seen).toEqual(['alpha', 'alpha', 'alpha', 'alpha']);
    const metrics = await (await fetch(harness.http.url.replace('/mcp', '/metrics'))).text();
    expect(metrics).toMatch(/switchboard_gateway_failovers_total\{tool="whoami"\} [1-9]/);
  });

  it("names both tools server__tool when two different tools share a name ('on-collision')", async () => {
    const a = await fixture('alpha');
    const c = await fixture('gamma', 'message');
    harness = await startGateway([http(a), http(c)]);
    const client = await harness.connect();
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('alpha__echo');
    expect(names).toContain('gamma__echo');
    expect(names).not.toContain('echo');
    expect(names).toContain('whoami'); // same schema on both: still one replica set
    expect(firstText(await client.callTool({ name: 'gamma__echo', arguments: { message: 'hi' } }))).toBe('hi');
    expect(firstText(await client.callTool({ name: 'alpha__echo', arguments: { text: 'yo' } }))).toBe('yo');
    expect(harness.gateway.conflicts()).toEqual([]);
  });

  it("reports a conflict under 'never' instead of dropping it silently, and prefixes everything under 'always'", async () => {
    const a = await fixture('alpha');
    const c = await fixture('gamma', 'message');
    harness = await startGateway([http(a), http(c)], { namespace: 'never' });
    const client = await harness.connect();
    const echo = (await client.listTools()).tools.filter((t) => t.name.endsWith('echo'));
    expect(echo.map((t) => t.name)).toEqual(['echo']);
    expect(echo[0]!.inputSchema.properties).toHaveProperty('text');
    const conflicts = harness.gateway.conflicts();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ kind: 'tool', name: 'echo', services: ['alpha', 'gamma'] });
    expect(conflicts[0]!.message).toContain("'on-collision'");
    const services = (await (await fetch(harness.http.url.replace('/mcp', '/services'))).json()) as { conflicts: unknown[] };
    expect(services.conflicts).toHaveLength(1);
    await harness.close();

    harness = await startGateway([http(a), http(c)], { namespace: 'always' });
    const names = (await (await harness.connect()).listTools()).tools.map((t) => t.name);
    // A declared replica set is one tool, qualified under its group; tools that differ stay apart.
    expect(names.filter((n) => n.endsWith('whoami'))).toEqual(['fixtures__whoami']);
    expect(names).toEqual(expect.arrayContaining(['alpha__echo', 'gamma__echo']));
    expect(names.every((n) => n.includes('__'))).toBe(true);
  });

  it('takes a replica whose tool schema drifted out of its replica set, and logs it', async () => {
    const a = await fixture('alpha');
    const b = await fixture('beta');
    const logs: string[] = [];
    harness = await startGateway([http(a), http(b)], {
      namespace: 'on-collision',
      gateway: { logger: createLogger({ level: 'warn', write: (line) => void logs.push(line) }) },
    });
    const client = await harness.connect();
    expect((await client.listTools()).tools.filter((t) => t.name === 'echo')).toHaveLength(1);
    b.changeEchoSchema('message');
    // Two different tools now share the name. The name clients already use keeps its meaning
    // (alpha's schema); beta, alone in its set now, is qualified.
    await waitFor(async () => (await client.listTools()).tools.some((t) => t.name === 'beta__echo'), { what: 'beta__echo' });
    const tools = (await client.listTools()).tools;
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'beta__echo']));
    expect(tools.map((t) => t.name)).not.toContain('alpha__echo');
    expect(tools.find((t) => t.name === 'echo')!.inputSchema.properties).toHaveProperty('text');
    expect(firstText(await client.callTool({ name: 'echo', arguments: { text: 'still alpha' } }))).toBe('still alpha');
    expect(firstText(await client.callTool({ name: 'beta__echo', arguments: { message: 'hi' } }))).toBe('hi');
    const drift = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'replica left its replica set: its tool schema changed');
    expect(drift).toMatchObject({ service: 'beta', tool: 'echo', replicaSet: ['alpha', 'beta'], nowWith: ['beta'] });
  });

  it('announces a server joining and leaving with tools/list_changed', async () => {
    const a = await fixture('alpha');
    harness = await startGateway([http(a)]);
    const client = await harness.connect();
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('calculate');

    const entry = serverEntrySchema.parse(stdioFixtureEntry('compute', ['calculate']));
    harness.router.registry.apply({ type: 'added', service: toDescriptor(entry, 'test') });
    await waitFor(() => changes >= 1, { what: 'list_changed after join' });
    await waitFor(async () => (await client.listTools()).tools.some((t) => t.name === 'calculate'), { what: 'calculate listed' });
    expect(firstText(await client.callTool({ name: 'calculate', arguments: { expression: '2+2' } }))).toBe('compute: 2+2 = 4');

    const before = changes;
    harness.router.registry.apply({ type: 'removed', name: 'compute', source: 'test' });
    await waitFor(() => changes > before, { what: 'list_changed after leave' });
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('calculate');
    await expect(client.callTool({ name: 'calculate', arguments: { expression: '1' } })).rejects.toThrow(/Unknown tool/);
  });
});
