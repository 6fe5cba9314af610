// Multi round-trip requests (2026-07-28 input_required) through the gateway, in front of a replica
// set of two modern-only SDK v2 servers whose `confirm` tool asks the client to confirm. The
// requestState a client holds is the gateway's sealed envelope: it names the replica that asked (so
// the retry reaches it whatever the strategy would pick), carries that replica's own state, opens on
// any instance with the same secret, and is refused when altered. A 2025 client (SDK v1, with a
// session) gets the same tool: the SDK's legacy shim asks it over its session and re-enters.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createGateway, serveHttp, type HttpGateway } from '@switchboard/gateway';
import { startModernHttpFixture, type ModernHttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

const SECRET = 'an input-required test secret of at least thirty-two characters';

let a: ModernHttpFixture;
let b: ModernHttpFixture;
let harness: GatewayHarness;
let second: HttpGateway;
let secondGateway: ReturnType<typeof createGateway>;
const clients: ModernClient[] = [];

beforeAll(async () => {
  a = await startModernHttpFixture({ name: 'replica-a' });
  b = await startModernHttpFixture({ name: 'replica-b' });
  const servers = [
    { name: 'replica-a', url: a.url, replicaGroup: 'ask' },
    { name: 'replica-b', url: b.url, replicaGroup: 'ask' },
  ];
  harness = await startGateway(servers, { strategy: 'round-robin', http: { sessionSecrets: [SECRET] } });
  // A second instance with the same secret, over the same router (the upstreams are the same).
  secondGateway = createGateway({ router: harness.router });
  second = await serveHttp(secondGateway, { port: 0, sessionSecrets: [SECRET] });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await second.close();
  await secondGateway.close();
  await harness.close();
  await b.close();
  await a.close();
});

/** A 2026-07-28 client declaring elicitation (unless `declare` is false), answering it with `answer` when given. */
async function modern(url: string, answer: boolean | undefined, asked: string[] = [], declare = true): Promise<ModernClient> {
  const client = new ModernClient({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: declare ? { elicitation: { form: {} } } : {} });
  if (answer !== undefined) {
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push((request.params as { message: string }).message);
      return { action: 'accept', content: { ok: answer } };
    });
  }
  await client.connect(new ModernHttpTransport(new URL(url)));
  clients.push(client);
  return client;
}

describe('input_required through the gateway', () => {
  it('reaches the client as one call, and every retry reaches the replica that asked', async () => {
    const asked: string[] = [];
    const client = await modern(harness.http.url, true, asked);
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) answers.push(firstText(await client.callTool({ name: 'confirm', arguments: { what: `step${i}` } })));
    // Round-robin alternates replicas for the first round; each retry still reached the same one.
    const askers = asked.map((m) => m.split(' ')[0]);
    expect(new Set(askers)).toEqual(new Set(['replica-a', 'replica-b']));
    answers.forEach((text, i) => expect(text).toBe(`${askers[i]}: step${i} confirmed (state ${askers[i]}-state-for-step${i})`));
  });

  it('hands out a sealed requestState that names nothing readable, and refuses an altered one with -32602', async () => {
    const client = await modern(harness.http.url, undefined);
    const first = (await client.callTool({ name: 'confirm', arguments: { what: 'raw' } }, { allowInputRequired: true })) as unknown as { resultType: string; requestState: string; inputRequests: Record<string, unknown> };
    expect(first.resultType).toBe('input_required');
    expect(Object.keys(first.inputRequests)).toEqual(['ok']);
    expect(first.requestState).not.toContain('state-for');
    expect(Buffer.from(first.requestState, 'base64url').toString('latin1')).not.toMatch(/replica|state-for/);
    const altered = first.requestState.slice(0, 20) + (first.requestState[20] === 'A' ? 'B' : 'A') + first.requestState.slice(21);
    const retry = (requestState: string) =>
      client.callTool({ name: 'confirm', arguments: { what: 'raw' }, inputResponses: { ok: { action: 'accept', content: { ok: false } } }, requestState } as never);
    await expect(retry(altered)).rejects.toMatchObject({ code: -32602 });
    expect(firstText(await retry(first.requestState))).toMatch(/^replica-[ab]: raw declined \(state replica-[ab]-state-for-raw\)$/);
  });

  it('resumes on another instance holding the same secret, and not on a request it was not made for', async () => {
    const one = await modern(harness.http.url, undefined);
    const other = await modern(second.url, undefined);
    const first = (await one.callTool({ name: 'confirm', arguments: { what: 'moved' } }, { allowInputRequired: true })) as unknown as { requestState: string };
    const inputResponses = { ok: { action: 'accept', content: { ok: true } } };
    expect(firstText(await other.callTool({ name: 'confirm', arguments: { what: 'moved' }, inputResponses, requestState: first.requestState } as never))).toMatch(/^replica-[ab]: moved confirmed/);
    // The same state presented on another request (a prompt) is not accepted there.
    await expect(other.getPrompt({ name: 'greet', arguments: { who: 'x' }, inputResponses, requestState: first.requestState } as never)).rejects.toMatchObject({ code: -32602 });
  });

  it('never asks a client for what it did not declare', async () => {
    const client = await modern(harness.http.url, undefined, [], false);
    await expect(client.callTool({ name: 'confirm', arguments: { what: 'undeclared' } }, { allowInputRequired: true })).rejects.toThrow(/client capabilities do not declare/);
  });

  it('serves a 2025 client too: the SDK asks it over its session and re-enters, one call, one answer', async () => {
    const legacy = await harness.connect({ elicitation: {} });
    const asked: string[] = [];
    legacy.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { ok: true } };
    });
    const text = firstText(await legacy.callTool({ name: 'confirm', arguments: { what: 'legacy' } }));
    expect(asked).toHaveLength(1);
    expect(text).toBe(`${asked[0]!.split(' ')[0]}: legacy confirmed (state ${asked[0]!.split(' ')[0]}-state-for-legacy)`);
  });
});

describe('a sealed requestState is bound to the identity it was handed to', () => {
  it('resumes for its own identity, and is refused (-32602) when another identity replays it', async () => {
    const tokens = ['alice-input-token-0123456789', 'bob-input-token-0123456789'];
    const own = await startGateway([{ name: 'replica-a', url: a.url }], { http: { sessionSecrets: [SECRET], auth: { bearerTokens: [{ token: tokens[0]!, subject: 'alice' }, { token: tokens[1]!, subject: 'bob' }] } } });
    const connect = async (token: string): Promise<ModernClient> => {
      const client = new ModernClient({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { elicitation: { form: {} } } });
      await client.connect(new ModernHttpTransport(new URL(own.http.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      clients.push(client);
      return client;
    };
    try {
      const alice = await connect(tokens[0]!);
      const bob = await connect(tokens[1]!);
      const first = (await alice.callTool({ name: 'confirm', arguments: { what: 'mine' } }, { allowInputRequired: true })) as unknown as { requestState: string };
      const inputResponses = { ok: { action: 'accept', content: { ok: true } } };
      const retry = (client: ModernClient) => client.callTool({ name: 'confirm', arguments: { what: 'mine' }, inputResponses, requestState: first.requestState } as never);
      await expect(retry(bob)).rejects.toMatchObject({ code: -32602 });
      expect(firstText(await retry(alice))).toMatch(/^replica-a: mine confirmed/);
    } finally {
      await own.close();
    }
  });
});
