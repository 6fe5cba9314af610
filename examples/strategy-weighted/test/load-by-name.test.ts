// The plugin as a user meets it: named in config under `plugins`, resolved by package name from this
// package's directory through core's plugin loading, then routing real calls to two HTTP fixture
// servers weighted 3 and 1.
//
// Twice, because vitest passes its `resolve.conditions` to its workers as Node `--conditions`: in
// this process, core's createRequire().resolve() picks the `@switchboard/source` export and loads
// src/index.ts. Only a plain `node` child proves the published dist loads (build it first:
// `pnpm tsc -b examples/strategy-weighted`).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRouter, type Router } from '@switchboard/core';
import staticDiscoveryPlugin from '@switchboard/discovery-static';
import { startHttpFixture } from '@switchboard/testing';
import httpTransportPlugin from '@switchboard/transport-http';
import { waitFor } from '../../../test/helpers/wait.js';
import { afterEach, describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const CALLS = 40;
/** Smooth weighted round-robin is exact over whole cycles (4 calls for 3:1). */
const EXPECTED = { heavy: 30, light: 10 };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('loaded by package name from config', () => {
  it('in the test process (source condition): routes whoami calls 3:1 across servers weighted 3 and 1', async () => {
    const [heavy, light] = await Promise.all([
      startHttpFixture({ name: 'heavy', tools: ['whoami'] }),
      startHttpFixture({ name: 'light', tools: ['whoami'] }),
    ]);
    cleanups.push(() => heavy.close(), () => light.close());
    const router: Router = createRouter(
      {
        plugins: ['@example/switchboard-strategy-weighted'],
        strategy: { type: 'weighted' },
        // Health checks would load health-ping by name, which this package does not depend on.
        health: false,
        // The split is exact only when every call is served where the strategy chose. A hedge (on by
        // default for a read-only tool such as whoami) sends a slow call on a busy machine to the other server too.
        failover: { hedging: { enabled: false } },
        discovery: [{ type: 'static', servers: [{ name: 'heavy', url: heavy.url, weight: 3 }, { name: 'light', url: light.url, weight: 1 }] }],
      },
      { plugins: [staticDiscoveryPlugin(), httpTransportPlugin()], resolveFrom: [PACKAGE_DIR] },
    );
    cleanups.push(() => router.close());
    await router.initialize();
    expect(router.strategyName).toBe('weighted');
    // Both must be candidates from the first call (initialize() bounds its wait for first tool lists).
    await waitFor(() => ['heavy', 'light'].every((n) => router.registry.get(n)?.tools.has('whoami') && router.registry.get(n)?.status === 'healthy'), { what: 'both servers listed' });

    const answeredBy: Record<string, number> = {};
    for (let i = 0; i < CALLS; i++) {
      const r = await router.routeRequest({ toolName: 'whoami', arguments: {} });
      expect(r.success, r.error).toBe(true);
      // The fixture answers with its own name: proof of who served the call, not just who was picked.
      const text = (r.result as { content: { text: string }[] }).content[0]!.text;
      expect(text).toBe(r.serviceUsed);
      answeredBy[text] = (answeredBy[text] ?? 0) + 1;
    }
    expect(answeredBy).toEqual(EXPECTED);
  });

  it('in a plain node process: resolves the name to the built dist and routes 3:1', async () => {
    const dist = join(PACKAGE_DIR, 'dist', 'index.js');
    if (!existsSync(dist)) throw new Error(`${dist} is missing; run: pnpm tsc -b examples/strategy-weighted`);
    const script = fileURLToPath(new URL('./route-by-name.script.mjs', import.meta.url));
    // execFile does not pass this worker's execArgv (the --conditions) on to the child.
    const { stdout } = await promisify(execFile)(process.execPath, [script, String(CALLS)], { cwd: PACKAGE_DIR, timeout: 20_000 });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { resolved: string; strategy: string; answeredBy: Record<string, number>; detours: unknown[] };
    expect(report.resolved).toBe(dist);
    expect(report.strategy).toBe('weighted');
    expect(report.answeredBy, JSON.stringify(report.detours)).toEqual(EXPECTED);
  });
});
