// `switchboard register` against a real etcd, seen by a real router's etcd discovery.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRouter, type Router } from '@switchboard/core';
import etcdDiscovery from '@switchboard/discovery-etcd';
import transportHttp from '@switchboard/transport-http';
import firstMatch from '@switchboard/strategy-first-match';
import { startHttpFixture, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type EtcdServer } from '@switchboard/testing/fixtures';
import { waitFor } from './helpers/wait.js';

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
let etcd: EtcdServer;
let fixture: HttpFixture;
const routers: Router[] = [];
let child: ChildProcess | undefined;

beforeAll(async () => {
  etcd = await startEtcd();
  fixture = await startHttpFixture({ name: 'fleet-search', tools: ['web_search', 'whoami'] });
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await Promise.all(routers.map((r) => r.close()));
  await fixture.close();
  await etcd.close();
});

function router(): Router {
  const r = createRouter(
    { discovery: [{ type: 'etcd', endpoints: [etcd.endpoint] }], health: false, logLevel: 'silent' },
    { plugins: [etcdDiscovery(), transportHttp(), firstMatch()] },
  );
  routers.push(r);
  return r;
}

describe('switchboard register', () => {
  it('makes a server routable in two routers, and withdraws it on SIGTERM', async () => {
    const [a, b] = [router(), router()];
    await Promise.all([a.initialize(), b.initialize()]);
    let out = '';
    child = spawn(process.execPath, [BIN, 'register', '--etcd', etcd.endpoint, '--name', 'fleet-search', '--url', fixture.url, '--caps', 'search', '--ttl', '5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('registered fleet-search'), { what: 'registration' });
    for (const r of [a, b]) {
      const result = await waitFor(async () => {
        const res = await r.routeRequest({ toolName: 'whoami', requiredCapabilities: ['search'] });
        return res.success ? res : undefined;
      }, { what: 'routable through etcd' });
      expect(result.serviceUsed).toBe('fleet-search');
    }
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('withdrew fleet-search');
    for (const r of [a, b]) await waitFor(() => !r.registry.get('fleet-search'), { what: 'removal after withdraw' });
  });

  it('rejects missing arguments with exit 2', async () => {
    const proc = spawn(process.execPath, [BIN, 'register', '--name', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => proc.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--etcd URL is required');
  });
});
