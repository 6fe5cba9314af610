// JSON nested far deeper than any MCP message, from either side. JSON.parse takes any depth, but
// JSON.stringify runs out of stack a few thousand levels down, so such a message could be read and
// never passed on. Before: a client's call with arguments nested 100,000 deep failed in the upstream
// transport's JSON.stringify, which the router read as a broken link (five such calls ejected the
// upstream for every client); an upstream's answer nested as deep parsed, and the client's call then
// hung. Real upstreams (the SDK fixtures, and a hostile one written against the wire) over stdio and
// Streamable HTTP; raw HTTP and raw stdio lines for the hostile client, which no SDK client could send.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { hostileStdioEntry, startHostileHttp, type HostileHttp } from './helpers/hostile.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const STDIO_GATEWAY = fileURLToPath(new URL('../packages/gateway/test/fixtures/stdio-gateway.mjs', import.meta.url));
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const DEPTH = 100_000;

/** A tools/call whose arguments hold an array nested DEPTH deep, as text (JSON.stringify cannot build it). */
function deepCall(id: number, tool: string, meta = ''): string {
  return `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${tool}","arguments":{"text":"x","d":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}${meta}}}`;
}

const ENVELOPE = `,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"hostile","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`;

describe('deeply nested JSON through the HTTP gateway', () => {
  let remote: GatewayFixture;
  let evil: HostileHttp;
  let harness: GatewayHarness;

  beforeAll(async () => {
    remote = await startGatewayFixture({ name: 'remote' });
    evil = await startHostileHttp();
    harness = await startGateway(
      [stdioFixtureEntry('local', ['echo']), { name: 'remote', transport: 'http', url: remote.url }, { name: 'evil-http', transport: 'http', url: evil.url }, hostileStdioEntry('evil-stdio')],
      { namespace: 'always' },
    );
  });

  afterAll(async () => {
    await harness.close();
    await remote.close();
    await evil.close();
  });

  it("refuses a client's request nested past 512 levels with -32600, in both eras, before any upstream sees it", async () => {
    const init = await fetch(harness.http.url, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'hostile', version: '1' } } }),
    });
    await init.text();
    const session = { ...HEADERS, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
    const modern = { ...HEADERS, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'remote__echo' };
    const before = harness.router.getPerformanceReport().services;
    let id = 1;
    for (const [tool, headers, meta] of [['local__echo', session, ''], ['remote__echo', session, ''], ['remote__echo', modern, ENVELOPE]] as const) {
      for (let i = 0; i < 6; i++) {
        const res = await fetch(harness.http.url, { method: 'POST', headers, body: deepCall(id++, tool, meta) });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ error: { code: -32600, message: 'Invalid Request: JSON nested deeper than 512 levels' } });
      }
    }
    const after = harness.router.getPerformanceReport().services;
    expect(after.local?.totalRequests).toBe(before.local?.totalRequests);
    expect(after.remote?.totalRequests).toBe(before.remote?.totalRequests);
    for (const entry of harness.router.registry.all()) expect([entry.name, entry.breaker, entry.status]).toEqual([entry.name, 'closed', 'healthy']);
  });

  it("fails a call at once when the upstream's answer nests past 512 levels (HTTP JSON and SSE, stdio), and serves the next", async () => {
    const client = await harness.connect();
    for (const [tool, args] of [
      ['evil-http__deep', { depth: DEPTH }],
      ['evil-http__deep', { depth: DEPTH, sse: true }],
      ['evil-stdio__deep', { depth: DEPTH }],
    ] as const) {
      // Not a timeout (which would say it did not answer): the refusal, naming why.
      await expect(client.callTool({ name: tool, arguments: args }), `${tool} ${JSON.stringify(args)}`).rejects.toThrow(/answered with JSON nested deeper than 512 levels; the answer was refused/);
    }
    // Nesting a real message has, well inside the limit, passes untouched.
    const shallow = (await client.callTool({ name: 'evil-http__deep', arguments: { depth: 100 } })) as { structuredContent?: { d: unknown } };
    let depth = 0;
    for (let v = shallow.structuredContent?.d; Array.isArray(v); v = v[0]) depth++;
    expect(depth).toBe(100);
    expect(firstText(await client.callTool({ name: 'evil-stdio__echo', arguments: { text: 'still here' } }))).toBe('still here');
    expect(firstText(await client.callTool({ name: 'remote__echo', arguments: { text: 'still here' } }))).toBe('still here');
  });
});

describe('a request the stdio gateway cannot pass on', () => {
  let child: ChildProcessWithoutNullStreams;
  const answers = new Map<string | number, (message: Record<string, unknown>) => void>();

  const request = (id: string | number, line: string): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      answers.set(id, resolve);
      child.stdin.write(`${line}\n`);
    });

  beforeAll(async () => {
    // The stdio endpoint reads lines with the SDK's transport, which takes any depth: the check that
    // catches it is the upstream transport's, when it encodes the call.
    child = spawn(process.execPath, [STDIO_GATEWAY, JSON.stringify([stdioFixtureEntry('local', ['echo'])])], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      const id = message.id as string | number | undefined;
      if (id !== undefined && message.method === undefined) answers.get(id)?.(message);
    });
    await request('init', JSON.stringify({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  });

  afterAll(async () => {
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
  });

  it("answers -32602 (the client's request), fails nothing over, and serves the next call", async () => {
    for (let id = 1; id <= 6; id++) {
      const answer = await request(id, deepCall(id, 'echo'));
      expect(answer).toMatchObject({ id, error: { code: -32602, message: expect.stringMatching(/cannot be sent as JSON: it is nested too deeply; nothing was sent/) } });
    }
    // Had these counted against the upstream, its breaker would be open now.
    const next = await request(7, JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { text: 'still here' } } }));
    expect(next).toMatchObject({ id: 7, result: { content: [{ type: 'text', text: 'still here' }] } });
  });
});
