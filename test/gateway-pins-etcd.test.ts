// Tool pins for a fleet: two `switchboard serve` processes keep their pins in one etcd key (a real
// etcd on loopback). A tool whose definition changes is blocked on both, and one approval with the
// CLI, against the same config, brings it back on both.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createEtcdDocumentStore } from '@switchboard/discovery-etcd';
import { startEtcd, type EtcdServer } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { runCli, startServe, stopServe } from './helpers/serve-process.js';
import { waitFor } from './helpers/wait.js';

let etcd: EtcdServer;
let upstream: GatewayFixture;
let dir: string;
let configFile: string;
const children: ChildProcess[] = [];
const clients: Client[] = [];

const cli = runCli;

beforeAll(async () => {
  [etcd, upstream] = await Promise.all([startEtcd(), startGatewayFixture({ name: 'files' })]);
  dir = await mkdtemp(join(tmpdir(), 'sb-pins-etcd-'));
  configFile = join(dir, 'fleet.yaml');
  await writeFile(
    configFile,
    [
      'health: false',
      'discovery:',
      '  - type: static',
      `    servers: [{ name: files, url: "${upstream.url}" }]`,
      'gateway:',
      '  pins:',
      '    onDefinitionChange: block',
      `    store: { type: etcd, endpoints: ["${etcd.endpoint}"], key: /test/fleet-pins }`,
    ].join('\n'),
  );
}, 30_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await Promise.all(children.map((c) => (c.exitCode === null ? stopServe(c) : undefined)));
  await upstream?.close();
  await etcd?.close();
  await rm(dir, { recursive: true, force: true });
});

const tools = async (client: Client): Promise<string[]> => (await client.listTools()).tools.map((t) => t.name);

describe('tool pins shared through etcd', () => {
  it('blocks a changed tool on every instance and brings it back on every instance after one approval', async () => {
    const instances = [await startServe(configFile, process.env, children), await startServe(configFile, process.env, children)];
    for (const instance of instances) {
      const client = new Client({ name: 'fleet-client', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(instance.url)));
      clients.push(client);
      expect(await tools(client)).toContain('echo');
    }
    // Both pinned the same definition under one key, in etcd and not in a file.
    const doc = createEtcdDocumentStore<{ pins: Record<string, { fingerprint: string }>; pending: Record<string, unknown> }>({ endpoints: [etcd.endpoint], key: '/test/fleet-pins' });
    try {
      expect(Object.keys((await doc.read())?.pins ?? {})).toContain('files/echo');
      upstream.changeEchoSchema('notes');
      for (const client of clients) await waitFor(async () => !(await tools(client)).includes('echo'), { what: 'echo blocked on every instance' });
      expect(Object.keys((await doc.read())?.pending ?? {})).toEqual(['files/echo']);

      const approved = await cli(['pins', 'approve', '--all', '--config', configFile]);
      expect(approved.code, approved.stderr).toBe(0);
      expect(approved.stdout).toMatch(/\+\s+"notes": \{/);
      for (const client of clients) await waitFor(async () => (await tools(client)).includes('echo'), { what: 'echo back on every instance' });
      const stored = await doc.read();
      expect(stored?.pending).toEqual({});
    } finally {
      await doc.close();
    }
  });
});
