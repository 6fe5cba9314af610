// Every TypeScript sample in the docs lives in docs/examples and is embedded verbatim: this runs
// each one against real servers and fails when a doc and its file drift apart.
import { readFileSync } from 'node:fs';
import { createRouter } from '@switchboard/core';
import { startHttpFixture, stdioFixtureEntry, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { searchOnce } from '../docs/examples/quick-start.js';
import weightedPlugin from '../docs/examples/weighted-plugin.js';
import { corePlugins } from './helpers/plugins.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const fixtures: HttpFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

describe('docs samples', () => {
  it('are embedded verbatim where the docs show them', () => {
    expect(read('README.md')).toContain(read('docs/examples/quick-start.ts'));
    expect(read('docs/plugins.md')).toContain(read('docs/examples/weighted-plugin.ts'));
  });

  it('README quick start routes a search to the search server', async () => {
    const search = await startHttpFixture({ name: 'search-1', tools: ['web_search'] });
    fixtures.push(search);
    const compute = stdioFixtureEntry('compute', ['calculate']);
    const r = await searchOnce(search.url, compute.command, compute.args);
    expect(r).toMatchObject({ success: true, serviceUsed: 'search-1', failoverAttempts: 0, routingMetadata: { routingStrategy: 'least-loaded' } });
  });

  it('the plugin guide weighted strategy splits calls by weight', async () => {
    const heavy = await startHttpFixture({ name: 'heavy', tools: ['whoami'] });
    const light = await startHttpFixture({ name: 'light', tools: ['whoami'] });
    fixtures.push(heavy, light);
    const router = createRouter(
      { discovery: [{ type: 'static', servers: [{ name: 'heavy', url: heavy.url, weight: 4 }, { name: 'light', url: light.url, weight: 1 }] }], strategy: { type: 'weighted' }, health: false, logLevel: 'silent' },
      // An evenly spread random source (the golden-ratio sequence), so the split is the strategy's
      // arithmetic and not luck: with Math.random, 200 calls fall outside 70-90% about once in 2,500 runs (it happened in CI).
      { plugins: [...corePlugins(), weightedPlugin()], random: evenlySpread() },
    );
    await router.initialize();
    const used: string[] = [];
    for (let i = 0; i < 200; i++) used.push((await router.routeRequest({ toolName: 'whoami' })).serviceUsed!);
    await router.close();
    const share = used.filter((u) => u === 'heavy').length / used.length;
    expect(share).toBeGreaterThan(0.78);
    expect(share).toBeLessThan(0.82);
  });
});

/** 0 ≤ x < 1, each next value as far as it can be from those before. */
function evenlySpread(): () => number {
  let i = 0;
  return () => (++i * 0.6180339887498949) % 1;
}
