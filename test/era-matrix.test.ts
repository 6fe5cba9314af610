// The era matrix end to end, real peers on both sides: clients = SDK v1, SDK v2 in its default
// (2025) mode, SDK v2 in auto mode and SDK v2 pinned to 2026-07-28; upstreams = 2025-only (SDK v1),
// modern-only (SDK v2, legacy rejected) and dual-era (SDK v2, both), each over Streamable HTTP and
// over stdio. Every cell calls a plain tool, one that asks by elicitation, one that asks by sampling
// and one that reports progress, and gets the right answer. A 2026-07-28 client calling a 2025 stdio
// upstream that asks is served by a process lent to its call alone (see upstream/call-processes.ts).
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyHttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { conformanceFixtureEntry, modernStdioFixtureEntry, startHttpFixture, startModernHttpFixture, type HttpFixture, type ModernHttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

type ClientKind = 'sdk-v1' | 'sdk-v2-legacy' | 'sdk-v2-auto' | 'sdk-v2-2026';
type UpstreamKind = 'legacy-http' | 'legacy-stdio' | 'modern-http' | 'modern-stdio' | 'dual-http' | 'dual-stdio';
const CLIENTS: readonly ClientKind[] = ['sdk-v1', 'sdk-v2-legacy', 'sdk-v2-auto', 'sdk-v2-2026'];
const UPSTREAMS: readonly UpstreamKind[] = ['legacy-http', 'legacy-stdio', 'modern-http', 'modern-stdio', 'dual-http', 'dual-stdio'];

/** The four calls of a cell, as each upstream's tools spell them (namespace 'always': `<upstream>__<tool>`). */
function calls(upstream: UpstreamKind): { plain: [string, object]; elicit: [string, object]; sample: [string, object]; progress: [string, object] } {
  const legacy = upstream.startsWith('legacy');
  const q = (tool: string) => `${upstream}__${tool}`;
  return legacy
    ? {
        plain: [q('test_simple_text'), {}],
        elicit: [q('test_elicitation'), { message: 'Who are you?' }],
        sample: [q('test_sampling'), { prompt: 'Capital of France?' }],
        progress: [q('test_tool_with_progress'), {}],
      }
    : {
        plain: [q('whoami'), {}],
        elicit: [q('confirm'), { what: 'deploy' }],
        sample: [q('sample'), { prompt: 'Capital of France?' }],
        progress: [q('echo'), { text: 'hello' }],
      };
}

let legacyHttp: HttpFixture;
let modernHttp: ModernHttpFixture;
let dualHttp: ModernHttpFixture;
let harness: GatewayHarness;
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  legacyHttp = await startHttpFixture({ name: 'legacy-http', conformance: true });
  modernHttp = await startModernHttpFixture({ name: 'modern-http' });
  dualHttp = await startModernHttpFixture({ name: 'dual-http', legacy: 'stateless' });
  harness = await startGateway(
    [
      { name: 'legacy-http', url: legacyHttp.url },
      conformanceFixtureEntry('legacy-stdio'),
      { name: 'modern-http', url: modernHttp.url },
      modernStdioFixtureEntry('modern-stdio'),
      { name: 'dual-http', url: dualHttp.url },
      modernStdioFixtureEntry('dual-stdio', { dual: true }),
    ],
    // Each 2025 client session gets its own conformance process: a shared one cannot tell whose
    // call a question belongs to once several sessions use it.
    { namespace: 'always', gateway: { isolation: { 'legacy-stdio': 'per-session' } } },
  );
}, 60_000);

afterAll(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => undefined);
  await harness.close();
  await Promise.all([legacyHttp.close(), modernHttp.close(), dualHttp.close()]);
});

interface Peer {
  call(name: string, args: object, onProgress?: (p: number) => void): Promise<unknown>;
  era(): string;
  asked: string[];
}

async function connect(kind: ClientKind): Promise<Peer> {
  const asked: string[] = [];
  const url = new URL(harness.http.url);
  const capabilities = { elicitation: {}, sampling: {} };
  if (kind === 'sdk-v1') {
    const client = new LegacyClient({ name: kind, version: '1' }, { capabilities });
    client.setRequestHandler(ElicitRequestSchema, async (r) => (asked.push(`elicit: ${r.params.message}`), { action: 'accept', content: { username: 'ada', email: 'ada@example.com', ok: true } }));
    client.setRequestHandler(CreateMessageRequestSchema, async () => (asked.push('sample'), { role: 'assistant', model: 'm', content: { type: 'text', text: 'Paris' } }));
    await client.connect(new LegacyHttpTransport(url));
    open.push(client);
    return {
      asked,
      era: () => client.getServerVersion()?.name ?? '',
      call: (name, args, onProgress) => client.callTool({ name, arguments: args as Record<string, unknown> }, undefined, onProgress ? { onprogress: (p) => onProgress(p.progress) } : undefined),
    };
  }
  const mode = kind === 'sdk-v2-auto' ? { versionNegotiation: { mode: 'auto' as const } } : kind === 'sdk-v2-2026' ? { versionNegotiation: { mode: { pin: '2026-07-28' as const } } } : {};
  const client = new ModernClient({ name: kind, version: '1' }, { capabilities: { elicitation: { form: {} }, sampling: {} }, ...mode });
  client.setRequestHandler('elicitation/create', async (r) => {
    asked.push(`elicit: ${(r.params as { message: string }).message}`);
    return { action: 'accept', content: { username: 'ada', email: 'ada@example.com', ok: true } };
  });
  client.setRequestHandler('sampling/createMessage', async () => (asked.push('sample'), { role: 'assistant', model: 'm', content: { type: 'text', text: 'Paris' } }));
  await client.connect(new ModernHttpTransport(url));
  open.push(client);
  return {
    asked,
    era: () => client.getProtocolEra() ?? '',
    call: (name, args, onProgress) => client.callTool({ name, arguments: args as Record<string, unknown> }, onProgress ? { onprogress: (p) => onProgress(p.progress) } : undefined),
  };
}

describe('log messages in the client era\'s form', () => {
  it('a 2025 client that set its session level gets a modern upstream\'s log messages for its call', async () => {
    const client = new LegacyClient({ name: 'logs', version: '1' });
    await client.connect(new LegacyHttpTransport(new URL(harness.http.url)));
    open.push(client);
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
    await client.setLoggingLevel('info');
    expect(firstText(await client.callTool({ name: 'modern-http__log', arguments: { message: 'hello' } }))).toBe('logged');
    await expect.poll(() => logs).toContain('modern-http: hello');
  });
});

describe('every client era against every upstream era', () => {
  for (const clientKind of CLIENTS) {
    it(`${clientKind}: plain, elicitation, sampling and progress on all six upstreams`, { timeout: 60_000 }, async () => {
      const peer = await connect(clientKind);
      const modernClient = clientKind === 'sdk-v2-auto' || clientKind === 'sdk-v2-2026';
      if (modernClient) expect(peer.era()).toBe('modern');
      for (const upstream of UPSTREAMS) {
        const c = calls(upstream);
        const where = `${clientKind} → ${upstream}`;
        const legacy = upstream.startsWith('legacy');
        // Plain.
        expect(firstText(await peer.call(...c.plain)), where).toBe(legacy ? 'This is a simple text response for testing.' : upstream);
        // Progress.
        const progress: number[] = [];
        const progressed = await peer.call(c.progress[0], c.progress[1], (p) => void progress.push(p));
        expect(firstText(progressed), where).toBe(legacy ? 'Tool with progress executed successfully' : `${upstream}: hello`);
        expect(progress.length, `${where}: progress`).toBeGreaterThan(0);
        // Elicitation.
        const before = peer.asked.length;
        const elicited = firstText(await peer.call(...c.elicit));
        expect(peer.asked.slice(before), `${where}: asked`).toEqual([legacy ? 'elicit: Who are you?' : `elicit: ${upstream} asks: deploy?`]);
        expect(elicited, where).toBe(legacy ? 'User response: action=accept, content={"username":"ada","email":"ada@example.com","ok":true}' : `${upstream}: deploy confirmed (state ${upstream}-state-for-deploy)`);
        // Sampling.
        const sampled = firstText(await peer.call(...c.sample));
        expect(peer.asked.at(-1), `${where}: sampled`).toBe('sample');
        expect(sampled, where).toBe(legacy ? 'LLM response: Paris' : `${upstream}: the model said Paris`);
      }
    });
  }
});
