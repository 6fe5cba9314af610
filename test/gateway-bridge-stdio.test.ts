// A 2026-07-28 client calling a 2025 stdio upstream (SDK v1, one process is one session) whose tools
// ask mid-call. Each bridged call gets a process lent to it alone, so what the process asks belongs
// to that call; the process is kept warm and lent to the next call, ended if its call never
// finished, and never asks a client for what it did not declare.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { conformanceFixtureEntry } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

let harness: GatewayHarness;
const clients: ModernClient[] = [];

beforeAll(async () => {
  harness = await startGateway([conformanceFixtureEntry('lent')], { gateway: { heldCalls: { ttlMs: 500 } } });
}, 30_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await harness.close();
});

/** stdio processes of the service lent to calls or kept warm (internal: what the reuse is about). */
function lentProcesses(): number {
  return (harness.gateway as unknown as { upstreamPolicy: { processSlots: { count(s: string): number } } }).upstreamPolicy.processSlots.count('lent');
}

async function modern(capabilities: Record<string, unknown>, answer: boolean): Promise<{ client: ModernClient; asked: string[] }> {
  const asked: string[] = [];
  const client = new ModernClient({ name: 'modern', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities });
  if (answer && capabilities.elicitation) {
    client.setRequestHandler('elicitation/create', async (r) => (asked.push((r.params as { message: string }).message), { action: 'accept', content: { username: 'ada', email: 'ada@example.com' } }));
  }
  if (answer && capabilities.sampling) client.setRequestHandler('sampling/createMessage', async () => (asked.push('sample'), { role: 'assistant', model: 'm', content: { type: 'text', text: 'Paris' } }));
  await client.connect(new ModernHttpTransport(new URL(harness.http.url)));
  clients.push(client);
  return { client, asked };
}

describe('bridging a 2026-07-28 client to a 2025 stdio upstream', () => {
  it('answers an elicitation and a sampling request mid-call on a lent process, and lends the warm process to the next call', async () => {
    const { client, asked } = await modern({ elicitation: { form: {} }, sampling: {} }, true);
    expect(firstText(await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } }))).toContain('action=accept');
    expect(lentProcesses()).toBe(1);
    expect(firstText(await client.callTool({ name: 'test_sampling', arguments: { prompt: 'Capital of France?' } }))).toBe('LLM response: Paris');
    expect(asked).toEqual(['Who are you?', 'sample']);
    // The same warm process served the second call: none was spawned for it.
    expect(lentProcesses()).toBe(1);
    // A plain call from a client that declares nothing it could be asked for stays on the shared process.
    const plain = await modern({}, false);
    expect(firstText(await plain.client.callTool({ name: 'test_simple_text' }))).toBe('This is a simple text response for testing.');
    expect(lentProcesses()).toBe(1);
  });

  it('never asks for a capability the caller did not declare, though the lent process declared it', async () => {
    const { client, asked } = await modern({ elicitation: { form: {} } }, true);
    const result = (await client.callTool({ name: 'test_sampling', arguments: { prompt: 'Capital of France?' } }).catch((e: unknown) => ({ error: String(e) }))) as { isError?: boolean; error?: string; content?: unknown };
    expect(asked).toEqual([]);
    expect(JSON.stringify(result)).toMatch(/did not declare the sampling capability/);
  });

  it('ends a lent process whose call the client never came back to, and lends a fresh one next', async () => {
    const { client } = await modern({ elicitation: { form: {} }, sampling: {} }, false);
    // Asked, but the client does not retry: the held call is given up after its ttl (500 ms).
    const first = (await client.callTool({ name: 'test_elicitation', arguments: { message: 'never answered' } }, { allowInputRequired: true } as never)) as unknown as { resultType: string };
    expect(first.resultType).toBe('input_required');
    const during = lentProcesses();
    expect(during).toBeGreaterThanOrEqual(1);
    await waitFor(() => lentProcesses() < during, { what: 'the abandoned call’s process to end' });
    const { client: next, asked } = await modern({ elicitation: { form: {} }, sampling: {} }, true);
    expect(firstText(await next.callTool({ name: 'test_elicitation', arguments: { message: 'Again?' } }))).toContain('action=accept');
    expect(asked).toEqual(['Again?']);
  });
});
