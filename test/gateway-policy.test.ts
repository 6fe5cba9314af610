// Who may call what, end to end: two identities in one gateway (static tokens with subjects, scopes
// and claims), a policy with globs, scopes and a CEL rule, a per-identity rate limit, and the audit
// log — with a 2025 client (SDK v1) and a 2026-07-28 client (SDK v2, pinned).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { ACCESS_DENIED_CODE, RATE_LIMITED_CODE, type PolicyConfig } from '@switchboard/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-0123456789abc';

const POLICY: PolicyConfig = {
  default: 'allow',
  rules: [
    // CEL: a missing claim makes the expression error, and an erroring deny rule matches (fails closed).
    { name: 'touch-for-ops', effect: 'deny', tools: ['touch'], when: 'identity.claims.team != "ops"' },
    { name: 'admins', effect: 'allow', tools: ['*'], prompts: ['*'], resources: ['**'], scopes: ['admin'] },
    { name: 'no-asking-tools', effect: 'deny', tools: ['ask', 'confirm', 'h*ng'] },
    { name: 'no-greeting', effect: 'deny', prompts: ['greet'] },
  ],
};

let upstream: GatewayFixture;
let harness: GatewayHarness;
let dir: string;
const modernClients: ModernClient[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-policy-'));
  upstream = await startGatewayFixture({ name: 'remote' });
  harness = await startGateway([{ name: 'remote', transport: 'http', url: upstream.url }], {
    http: {
      auth: {
        bearerTokens: [
          { token: ALICE, subject: 'alice', scopes: ['admin'], claims: { team: 'ops' } },
          { token: BOB, subject: 'bob' },
        ],
      },
    },
    gateway: { access: { policy: POLICY, rateLimits: [{ name: 'echo-per-identity', tools: ['echo'], limit: 3, windowSeconds: 600 }], audit: { to: join(dir, 'audit.jsonl') } } },
  });
}, 30_000);

afterAll(async () => {
  await Promise.all(modernClients.map((c) => c.close().catch(() => undefined)));
  await harness?.close();
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

const as = (token: string): Promise<Client> => harness.connect({}, { authorization: `Bearer ${token}` });

async function modernAs(token: string): Promise<ModernClient> {
  const client = new ModernClient({ name: 'modern-client', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new ModernHttpTransport(new URL(harness.http.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  modernClients.push(client);
  return client;
}

async function refusal(call: Promise<unknown>): Promise<{ code: number; message: string; data?: unknown }> {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { code: number; message: string; data?: unknown } | undefined;
  expect(error, 'the call was refused').toBeDefined();
  return error!;
}

async function auditLines(): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(dir, 'audit.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('per-identity policy', () => {
  it('hides denied tools and prompts from one identity and serves them to another, in the same gateway (2025 client)', async () => {
    const alice = await as(ALICE);
    const bob = await as(BOB);
    const aliceTools = (await alice.listTools()).tools.map((t) => t.name);
    const bobTools = (await bob.listTools()).tools.map((t) => t.name);
    expect(aliceTools).toEqual(expect.arrayContaining(['echo', 'ask', 'confirm', 'hang', 'touch']));
    expect(bobTools).toContain('echo');
    for (const hidden of ['ask', 'confirm', 'hang', 'touch']) expect(bobTools).not.toContain(hidden);
    expect((await alice.listPrompts()).prompts.map((p) => p.name)).toContain('greet');
    expect((await bob.listPrompts()).prompts.map((p) => p.name)).not.toContain('greet');

    // Uncallable for bob, with an error naming the rule; alice's identical call works.
    const denied = await refusal(bob.callTool({ name: 'touch', arguments: { id: 'x' } }));
    expect(denied.code).toBe(ACCESS_DENIED_CODE);
    expect(denied.message).toContain('touch-for-ops');
    expect(denied.data).toMatchObject({ reason: 'policy_denied', rule: 'touch-for-ops' });
    const deniedPrompt = await refusal(bob.getPrompt({ name: 'greet', arguments: { who: 'Ada' } }));
    expect(deniedPrompt.code).toBe(ACCESS_DENIED_CODE);
    expect(deniedPrompt.message).toContain('no-greeting');
    expect(firstText(await alice.callTool({ name: 'touch', arguments: { id: 'x' } }))).not.toBe('');
    expect((await alice.getPrompt({ name: 'greet', arguments: { who: 'Ada' } })).messages.length).toBeGreaterThan(0);
  });

  it('applies the same policy to a 2026-07-28 client, and marks its filtered lists private', async () => {
    const bob = await modernAs(BOB);
    const tools = (await bob.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('whoami');
    expect(tools).not.toContain('hang');
    const denied = await refusal(bob.callTool({ name: 'confirm' }));
    expect(denied.code).toBe(ACCESS_DENIED_CODE);
    expect(denied.message).toContain('no-asking-tools');
    // The raw answer: a list that depends on who asks is not for a shared cache.
    const res = await fetch(harness.http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${BOB}`, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/list',
        params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' } } },
      }),
    });
    const text = await res.text();
    const body = JSON.parse(text.startsWith('{') ? text : text.split('\n').find((l) => l.startsWith('data:'))!.slice(5)) as { result: { cacheScope?: string; tools: Array<{ name: string }> } };
    expect(body.result.cacheScope).toBe('private');
    expect(body.result.tools.map((t) => t.name)).not.toContain('touch');
  });

  it('takes a new policy live: a tool withdrawn from everyone disappears from lists and calls at once', async () => {
    const alice = await as(ALICE);
    expect(firstText(await alice.callTool({ name: 'whoami' }))).toBe('remote');
    harness.gateway.setAccess({ policy: { rules: [{ name: 'whoami-withdrawn', effect: 'deny', tools: ['whoami'] }, ...POLICY.rules] }, audit: { to: join(dir, 'audit.jsonl') } });
    expect((await alice.listTools()).tools.map((t) => t.name)).not.toContain('whoami');
    expect((await refusal(alice.callTool({ name: 'whoami' }))).message).toContain('whoami-withdrawn');
    harness.gateway.setAccess({ policy: POLICY, rateLimits: [{ name: 'echo-per-identity', tools: ['echo'], limit: 3, windowSeconds: 600 }], audit: { to: join(dir, 'audit.jsonl') } });
    expect(firstText(await alice.callTool({ name: 'whoami' }))).toBe('remote');
  });
});

describe('rate limits', () => {
  it('refuses an identity past its limit with the JSON-RPC error and HTTP 429 + Retry-After, while another identity keeps calling', async () => {
    const bob = await modernAs(BOB);
    for (let i = 0; i < 3; i++) expect(firstText(await bob.callTool({ name: 'echo', arguments: { text: `n${i}` } }))).toBe(`n${i}`);
    const res = await fetch(harness.http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${BOB}`, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 42,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'over' }, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' } } },
      }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await res.json()) as { id: number; error: { code: number; message: string; data: { limit: string } } };
    expect(body.id).toBe(42);
    expect(body.error.code).toBe(RATE_LIMITED_CODE);
    expect(body.error.data.limit).toBe('echo-per-identity');
    // The 2025 session of the same identity shares its bucket; another identity has its own.
    const bobLegacy = await as(BOB);
    // (SDK v1 reports a non-2xx answer as a transport error carrying the JSON-RPC body.)
    expect((await refusal(bobLegacy.callTool({ name: 'echo', arguments: { text: 'over' } }))).message).toContain('Rate limit echo-per-identity');
    const alice = await as(ALICE);
    expect(firstText(await alice.callTool({ name: 'echo', arguments: { text: 'alice' } }))).toBe('alice');
    // Tools the limit does not cover are not limited.
    expect(firstText(await bobLegacy.callTool({ name: 'whoami' }))).toBe('remote');
  });
});

describe('audit log', () => {
  it('writes one JSON line per call and per refused call: identity, client, tool, upstream, outcome, latency, era', async () => {
    await waitFor(async () => (await auditLines()).some((l) => l.outcome === 'rate_limited'));
    const lines = await auditLines();
    const denied = lines.find((l) => l.outcome === 'denied' && l.name === 'touch');
    expect(denied).toMatchObject({ type: 'mcp.audit', method: 'tools/call', identity: { subject: 'bob', method: 'bearer' }, reason: 'touch-for-ops', era: '2025', client: { name: 'test-client' } });
    const ok = lines.find((l) => l.outcome === 'ok' && l.name === 'touch');
    expect(ok).toMatchObject({ identity: { subject: 'alice' }, service: 'remote', upstream: 'remote', era: '2025' });
    expect(typeof ok!.latencyMs).toBe('number');
    expect(lines.find((l) => l.outcome === 'denied' && l.name === 'confirm')).toMatchObject({ era: '2026', protocolVersion: '2026-07-28', identity: { subject: 'bob' } });
    expect(lines.find((l) => l.outcome === 'rate_limited')).toMatchObject({ name: 'echo', reason: 'echo-per-identity', identity: { subject: 'bob' } });
    expect(lines.find((l) => l.outcome === 'denied' && l.method === 'prompts/get')).toMatchObject({ name: 'greet', reason: 'no-greeting' });
    // Arguments and results only when configured; credentials never.
    for (const line of lines) {
      expect(line.arguments).toBeUndefined();
      expect(line.result).toBeUndefined();
      expect(JSON.stringify(line)).not.toContain(BOB);
      expect(JSON.stringify(line)).not.toContain(ALICE);
    }
    // Refusals are counted in metrics too.
    const metrics = await (await fetch(harness.http.url.replace('/mcp', '/metrics'), { headers: { authorization: `Bearer ${ALICE}` } })).text();
    expect(metrics).toMatch(/switchboard_gateway_access_refused_total\{reason="policy"\} [1-9]/);
    expect(metrics).toMatch(/switchboard_gateway_access_refused_total\{reason="rate_limit"\} [1-9]/);
  });
});
