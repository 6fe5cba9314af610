// A 2026-07-28 client (SDK v2, pinned) calling tools of a 2025-only upstream (SDK v1 over
// Streamable HTTP) that ask it for input mid-call with server-to-client requests. The gateway holds
// the upstream call and turns each request into an input_required round; the client's retry
// answers it. The held call lives on the instance that holds it: a retry elsewhere, or after it
// was given up, is refused at once with a clear error.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { startHttpFixture, type HttpFixture } from '@switchboard/testing/fixtures';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

const SECRET = 'a bridging test secret that is at least thirty-two characters long';

let upstream: HttpFixture;
let asker: GatewayFixture;
let harness: GatewayHarness;
let second: GatewayHarness;
const clients: ModernClient[] = [];

beforeAll(async () => {
  upstream = await startHttpFixture({ name: 'legacy', conformance: true });
  // A 2025 server with a prompt that asks before it renders.
  asker = await startGatewayFixture({ name: 'asker', askingPrompt: true });
  harness = await startGateway(
    [
      { name: 'legacy', url: upstream.url },
      { name: 'asker', url: asker.url },
    ],
    { http: { sessionSecrets: [SECRET] }, gateway: { heldCalls: { ttlMs: 400 } } },
  );
  // Another instance (its own router, so its own instance id) with the same secret: it can open
  // the state, but does not hold the call.
  second = await startGateway([{ name: 'legacy', url: upstream.url }], { http: { sessionSecrets: [SECRET] } });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await second.close();
  await harness.close();
  await asker.close();
  await upstream.close();
});

/** Calls the first instance holds now (internal state: what the bound and the release are about). */
function heldCalls(): number {
  return (harness.gateway as unknown as { heldCalls: { size: number } }).heldCalls.size;
}

interface Asked {
  elicitations: string[];
  samplings: string[];
}

async function modern(url: string, declare: boolean, answer = true): Promise<{ client: ModernClient; asked: Asked }> {
  const asked: Asked = { elicitations: [], samplings: [] };
  const client = new ModernClient({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: declare ? { elicitation: { form: {} }, sampling: {} } : {} });
  if (declare && answer) {
    client.setRequestHandler('elicitation/create', async (request) => {
      const message = (request.params as { message: string }).message;
      asked.elicitations.push(message);
      const content: Record<string, string> = message === 'Which topic?' ? { topic: 'bridges' } : message === 'Passphrase?' ? { phrase: 'open sesame' } : { username: 'ada', email: 'ada@example.com' };
      return { action: 'accept', content };
    });
    client.setRequestHandler('sampling/createMessage', async (request) => {
      const first = (request.params as { messages: Array<{ content: { text?: string } }> }).messages[0];
      asked.samplings.push(first?.content.text ?? '');
      return { role: 'assistant', model: 'test-model', content: { type: 'text', text: 'Paris' } };
    });
  }
  await client.connect(new ModernHttpTransport(new URL(url)));
  clients.push(client);
  return { client, asked };
}

describe('2026-07-28 client, 2025 upstream that asks for input', () => {
  it('elicitation: the client is asked once, in an input_required round, and gets the upstream answer', async () => {
    const { client, asked } = await modern(harness.http.url, true);
    const result = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } });
    expect(asked.elicitations).toEqual(['Who are you?']);
    expect(firstText(result)).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.com"}');
  });

  it('sampling: the same, and the held upstream session is released afterwards', async () => {
    const { client, asked } = await modern(harness.http.url, true);
    const result = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'Capital of France?' } });
    expect(asked.samplings).toEqual(['Capital of France?']);
    expect(firstText(result)).toBe('LLM response: Paris');
    expect(heldCalls()).toBe(0);
  });

  it('a prompt that asks before it renders: prompts/get is held the same way', async () => {
    const { client, asked } = await modern(harness.http.url, true);
    const prompt = await client.getPrompt({ name: 'interview' });
    expect(asked.elicitations).toEqual(['Which topic?']);
    expect(prompt.messages[0]?.content).toMatchObject({ type: 'text', text: 'Talk about bridges' });
    expect(heldCalls()).toBe(0);
  });

  it('a resource that asks before it is read: resources/read is held the same way', async () => {
    const { client, asked } = await modern(harness.http.url, true);
    const read = await client.readResource({ uri: 'vault://secret' });
    expect(asked.elicitations).toEqual(['Passphrase?']);
    expect(read.contents[0]).toMatchObject({ uri: 'vault://secret', text: 'opened with open sesame' });
    expect(heldCalls()).toBe(0);
  });

  it('a plain tool is still one round', async () => {
    const { client } = await modern(harness.http.url, true);
    expect(firstText(await client.callTool({ name: 'test_simple_text' }))).toBe('This is a simple text response for testing.');
  });

  it('a retry that reaches another instance, or comes after the call was given up, is refused at once', async () => {
    const { client } = await modern(harness.http.url, true, false);
    const round = (await client.callTool({ name: 'test_elicitation', arguments: { message: 'Again?' } }, { allowInputRequired: true })) as unknown as {
      resultType: string;
      inputRequests: Record<string, { method: string; params: { message: string } }>;
      requestState: string;
    };
    expect(round.resultType).toBe('input_required');
    const [key, request] = Object.entries(round.inputRequests)[0]!;
    expect(request).toMatchObject({ method: 'elicitation/create', params: { message: 'Again?' } });
    const inputResponses = { [key]: { action: 'accept', content: { username: 'bob', email: 'bob@example.com' } } };
    const retry = (c: ModernClient) => c.callTool({ name: 'test_elicitation', arguments: { message: 'Again?' }, inputResponses, requestState: round.requestState } as never);
    expect(heldCalls()).toBe(1);
    const elsewhere = await modern(second.http.url, true, false);
    await expect(retry(elsewhere.client)).rejects.toThrow(/held by another gateway instance/);
    // The holding instance gives the call up after its held time (400 ms here).
    await new Promise((r) => setTimeout(r, 900));
    // A clear error, not a wait (a hang would run into the test's timeout).
    await expect(retry(client)).rejects.toThrow(/has ended/);
    expect(heldCalls()).toBe(0);
  });

  it('a client that declared neither is never asked: the upstream gets a refusal instead', async () => {
    const { client } = await modern(harness.http.url, false);
    const result = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Nobody?' } }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    expect(result instanceof Error ? result.message : firstText(result)).toMatch(/does not support elicitation|elicitation|refused/);
  });
});
