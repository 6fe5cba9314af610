// An upstream that pages its tool list without end, or in pages that add up to far more than any
// real catalog: each page is bounded by maxMessageBytes as it is read, but the SDK aggregates up to
// 64 pages of a list before the catalog sees it, so one catalog read could hold 64 × 16 MiB. The
// pages of one walk may now add up to 4 × maxMessageBytes. The hostile upstream is a real process on
// a stdio pipe; the router beside it keeps serving another upstream.
import { createRouter, type Router } from '@switchboard/core';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE_UPSTREAM } from './helpers/hostile.js';
import { corePlugins } from './helpers/plugins.js';

let router: Router | undefined;
afterEach(async () => {
  await router?.close();
  router = undefined;
});

const MiB = 1024 * 1024;
const paged = (pages: number, pageBytes: number) => ({
  name: 'paged',
  transport: 'stdio',
  command: process.execPath,
  args: [HOSTILE_UPSTREAM, 'stdio', '--list-pages', String(pages), '--page-bytes', String(pageBytes)],
  maxMessageBytes: MiB,
});

async function start(servers: readonly Record<string, unknown>[]): Promise<Router> {
  router = createRouter({ discovery: [{ type: 'static', servers }], strategy: { type: 'round-robin' }, health: false, logLevel: 'silent' }, { plugins: corePlugins() });
  await router.initialize();
  return router;
}

describe('the pages of one list walk', () => {
  it('are refused past 4 × maxMessageBytes in all, with a clear error, while the router serves the others', async () => {
    // 64 pages of 300 KB: each well under the 1 MiB message bound, 19 MB together.
    const r = await start([paged(64, 300_000), stdioFixtureEntry('good', ['echo'])]);
    const health = await r.getServiceHealth();
    expect(health.paged).toMatchObject({ healthy: false });
    expect(JSON.stringify(health.paged)).toMatch(/tools\/list pages adding up to more than 4194304 bytes \(4 × its maxMessageBytes\); the list was refused/);
    expect(r.registry.get('paged')?.tools.size ?? 0).toBe(0);
    const call = await r.routeRequest({ toolName: 'echo', arguments: { text: 'still here' } });
    expect(call).toMatchObject({ success: true, serviceUsed: 'good' });
  });

  it('are taken whole within it', async () => {
    // 10 pages of 300 KB: 3 MB, under the 4 MiB of four messages.
    const r = await start([paged(10, 300_000)]);
    const tools = [...(r.registry.get('paged')?.tools.keys() ?? [])];
    expect(tools.filter((t) => t.startsWith('page')).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `page${i}`).sort());
  });
});
