// `switchboard advertise` on loopback multicast, found by a router with mDNS discovery and no
// config entry for the server.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createRouter, type Router } from '@switchboard/core';
import mdnsDiscovery from '@switchboard/discovery-mdns';
import firstMatch from '@switchboard/strategy-first-match';
import transportHttp from '@switchboard/transport-http';
import { startHttpFixture, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/wait.js';

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
// A private mDNS port keeps this test off the real group port and away from other test files.
const MDNS_PORT = 20_000 + Math.floor(Math.random() * 20_000);
let fixture: HttpFixture;
let router: Router;
let child: ChildProcess | undefined;

beforeAll(async () => {
  fixture = await startHttpFixture({ name: 'lan-search', tools: ['whoami'] });
  router = createRouter(
    { discovery: [{ type: 'mdns', interface: '127.0.0.1', mdnsPort: MDNS_PORT, initialWaitMs: 100 }], health: false, logLevel: 'silent' },
    { plugins: [mdnsDiscovery(), transportHttp(), firstMatch()] },
  );
  await router.initialize();
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await router.close();
  await fixture.close();
});

describe('switchboard advertise', () => {
  it('announces a server that a router then routes to, and withdraws it with a goodbye', async () => {
    let out = '';
    child = spawn(
      process.execPath,
      [BIN, 'advertise', '--name', 'lan-search', '--port', String(fixture.port), '--caps', 'search', '--interface', '127.0.0.1', '--host', '127.0.0.1', '--mdns-port', String(MDNS_PORT)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const result = await waitFor(async () => {
      const r = await router.routeRequest({ toolName: 'whoami', requiredCapabilities: ['search'] });
      return r.success ? r : undefined;
    }, { what: 'routable through mDNS' });
    expect(result.serviceUsed).toBe('lan-search');
    expect(JSON.stringify(result.result?.content)).toContain('lan-search');
    expect(router.registry.get('lan-search')!.descriptor.url).toBe(`http://127.0.0.1:${fixture.port}/mcp`);
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('withdrew lan-search');
    await waitFor(() => !router.registry.get('lan-search'), { what: 'removal after goodbye' });
  });

  it('discover --wait sets how long a one-shot mDNS discovery listens, and says so', { timeout: 30_000 }, async () => {
    const advertiser = spawn(
      process.execPath,
      [BIN, 'advertise', '--name', 'lan-once', '--port', String(fixture.port), '--interface', '127.0.0.1', '--host', '127.0.0.1', '--mdns-port', String(MDNS_PORT)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = advertiser;
    await waitFor(() => router.registry.get('lan-once') !== undefined, { what: 'the advertisement on the wire' });
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-mdns-wait-'));
    const config = join(dir, 'lan.yaml');
    writeFileSync(config, `discovery:\n  - { type: mdns, interface: 127.0.0.1, mdnsPort: ${MDNS_PORT} }\nhealth: false\n`);
    try {
      const run = (...args: string[]) => promisify(execFile)(process.execPath, [BIN, 'discover', '-c', config, ...args]).catch((e: { code: number; stdout: string; stderr: string }) => e);
      const found = (await run('--json', '--wait', '600')) as { stdout: string; stderr: string };
      expect(Object.keys(JSON.parse(found.stdout) as object)).toContain('lan-once');
      expect(found.stderr).toContain('mdns: waited 600 ms for answers, asking twice (change with --wait MS)');
      const bad = (await run('--wait', 'soon')) as { code: number; stderr: string };
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--wait takes milliseconds/);
    } finally {
      advertiser.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

