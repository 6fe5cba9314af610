// The gateway as a stdio MCP server (spawned from the build, as an MCP client would launch it), and
// in front of the published reference server (@modelcontextprotocol/server-everything) over stdio.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdioTransport } from '@modelcontextprotocol/client/stdio';
import { startModernHttpFixture, stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const EVERYTHING = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js', { paths: [root] });
const STDIO_GATEWAY = fileURLToPath(new URL('../packages/gateway/test/fixtures/stdio-gateway.mjs', import.meta.url));

let harness: GatewayHarness | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await harness?.close();
  harness = undefined;
});

describe('gateway and stdio', () => {
  it('serves over stdio when launched as a local MCP server', async () => {
    const servers = [stdioFixtureEntry('compute-a', ['calculate', 'whoami']), stdioFixtureEntry('compute-b', ['calculate', 'whoami'])].map((s) => ({ ...s, replicaGroup: 'compute' }));
    const transport = new StdioClientTransport({ command: process.execPath, args: [STDIO_GATEWAY, JSON.stringify(servers)], cwd: root, stderr: 'pipe' });
    client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['calculate', 'whoami']);
    const who = new Set<string>();
    for (let i = 0; i < 4; i++) who.add(firstText(await client.callTool({ name: 'whoami' })));
    expect([...who].sort()).toEqual(['compute-a', 'compute-b']);
    expect(firstText(await client.callTool({ name: 'calculate', arguments: { expression: '2^10' } }))).toMatch(/2\^10 = 1024$/);
    await expect(client.callTool({ name: 'missing' })).rejects.toThrow(/Unknown tool/);
  });

  it('serves a 2026-07-28 client over stdio: no initialize, discover, list, call, and list changes on its listen stream', async () => {
    const remote = await startModernHttpFixture({ name: 'remote' });
    const servers = [stdioFixtureEntry('local', ['calculate']), { name: 'remote', url: remote.url }];
    const modern = new ModernClient({ name: 'stdio-modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    try {
      await modern.connect(new ModernStdioTransport({ command: process.execPath, args: [STDIO_GATEWAY, JSON.stringify(servers)], cwd: root, stderr: 'pipe' }));
      expect(modern.getProtocolEra()).toBe('modern');
      expect(modern.getDiscoverResult()?.supportedVersions).toContain('2026-07-28');
      const tools = (await modern.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(['calculate', 'echo', 'whoami']));
      expect(firstText(await modern.callTool({ name: 'calculate', arguments: { expression: '6*7' } }))).toMatch(/= 42$/);
      expect(firstText(await modern.callTool({ name: 'whoami' }))).toBe('remote');
      let changed = 0;
      modern.setNotificationHandler('notifications/tools/list_changed', () => void changed++);
      const subscription = await modern.listen({ toolsListChanged: true });
      remote.addTool('added_later');
      await expect.poll(() => changed, { timeout: 5_000 }).toBeGreaterThan(0);
      expect((await modern.listTools({}, { cacheMode: 'refresh' })).tools.map((t) => t.name)).toContain('added_later');
      await subscription.close();
    } finally {
      await modern.close();
      await remote.close();
    }
  });

  it('fronts server-everything: tools with progress, resources, prompts', async () => {
    harness = await startGateway([{ name: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'] }]);
    const c = await harness.connect();
    const tools = (await c.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('echo');
    expect(tools).toContain('get-sum');
    expect(firstText(await c.callTool({ name: 'echo', arguments: { message: 'through the gateway' } }))).toContain('through the gateway');
    expect(firstText(await c.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } }))).toContain('5');
    const progress: number[] = [];
    const long = await c.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
    expect(firstText(long)).toContain('completed');
    // Every progress notification crosses the shared stdio connection before the result (the
    // gateway defers upstream responses behind queued notifications: see progress-order.ts).
    expect(progress).toEqual([1, 2]);
    const resources = (await c.listResources()).resources;
    expect(resources.length).toBeGreaterThan(0);
    const read = await c.readResource({ uri: resources[0]!.uri });
    expect(read.contents[0]!.uri).toBe(resources[0]!.uri);
    const prompts = (await c.listPrompts()).prompts.map((p) => p.name);
    expect(prompts.length).toBeGreaterThan(0);
    const simple = prompts.find((p) => p.includes('simple')) ?? prompts[0]!;
    expect((await c.getPrompt({ name: simple })).messages.length).toBeGreaterThan(0);
  });

  it('offers server-everything\'s sampling tool and sends its sampling request to the calling session', async () => {
    harness = await startGateway([{ name: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'] }]);
    const c = await harness.connect({ sampling: {} });
    const asked: string[] = [];
    c.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      asked.push(JSON.stringify(request.params.messages));
      return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled by the client' } };
    });
    expect((await c.listTools()).tools.map((t) => t.name)).toContain('trigger-sampling-request');
    const r = await c.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hello', maxTokens: 5 } });
    expect(JSON.stringify(r.content)).toContain('sampled by the client');
    expect(asked).toHaveLength(1);
  });
});
