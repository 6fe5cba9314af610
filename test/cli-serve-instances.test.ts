// Two `switchboard serve` processes with one config (a session secret from the environment and an
// etcd session store), and one stock MCP client behind a load balancer with no affinity: each of
// its requests goes to the other process. The way an operator scales the gateway out.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startEtcd, startHttpFixture, type EtcdServer, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundRobinFetch } from './helpers/round-robin-fetch.js';
import { startServe, stopServe } from './helpers/serve-process.js';
import { waitFor } from './helpers/wait.js';

const SECRET = 'cli-instances-secret-0123456789abcdefghij';
let dir: string;
let etcd: EtcdServer;
let upstream: HttpFixture;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-instances-'));
  [etcd, upstream] = await Promise.all([startEtcd(), startHttpFixture({ name: 'up', tools: ['echo', 'whoami'] })]);
  writeFileSync(
    join(dir, 'gateway.yaml'),
    [
      'discovery:',
      '  - type: static',
      `    servers: [{ name: up, url: "${upstream.url}" }]`,
      'gateway:',
      '  sessionSecret: ${SB_SESSION_SECRET}',
      `  sessionStore: { type: etcd, endpoints: ["${etcd.endpoint}"], prefix: /cli-test/sessions/ }`,
    ].join('\n'),
  );
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all([upstream?.close(), etcd?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('switchboard serve, several instances', () => {
  it('serves one client from two processes sharing a secret and an etcd session store', async () => {
    const env = { ...process.env, SB_SESSION_SECRET: SECRET };
    const config = join(dir, 'gateway.yaml');
    const [a, b] = await Promise.all([startServe(config, env, children), startServe(config, env, children)]);
    const served = [0, 0];
    const client = new Client({ name: 'stock-client', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(a.url), { fetch: roundRobinFetch([a.url, b.url], served) });
    await client.connect(transport);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo', 'whoami']);
    for (let i = 0; i < 4; i++) {
      const r = await client.callTool({ name: 'echo', arguments: { text: `hop ${i}` } });
      expect(JSON.stringify(r.content)).toContain(`hop ${i}`);
    }
    expect(served[0]).toBeGreaterThanOrEqual(3);
    expect(served[1]).toBeGreaterThanOrEqual(3);
    expect(a.stderr() + b.stderr()).toContain('session resumed');

    // Ended through one process; the other learns it through etcd and refuses the session too.
    const id = transport.sessionId!;
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' };
    expect((await fetch(a.url, { method: 'DELETE', headers })).status).toBe(200);
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await waitFor(async () => (await fetch(b.url, { method: 'POST', headers, body: ping })).status === 404, { what: 'the second process to refuse the ended session' });
    await client.close().catch(() => undefined);

    expect(await stopServe(a.child)).toBe(0);
    expect(await stopServe(b.child)).toBe(0);
  });
});
