// An upstream that says its tool list changed thousands of times in a burst (a hostile one, or a
// buggy one that announces a change after every call): the router reads the list again once per
// burst, not once per notification, and still ends with the list as it is after the burst. The
// upstream is a real process on a stdio pipe.
import { createRouter, type Router } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE_UPSTREAM } from './helpers/hostile.js';
import { corePlugins } from './helpers/plugins.js';

let router: Router | undefined;
afterEach(async () => {
  await router?.close();
  router = undefined;
});

const hostile = { name: 'noisy', transport: 'stdio', command: process.execPath, args: [HOSTILE_UPSTREAM, 'stdio'] };

async function listReads(r: Router): Promise<number> {
  const answer = await r.routeRequest({ toolName: 'list_reads', arguments: {} });
  if (!answer.success) throw new Error(`list_reads failed: ${answer.error}`);
  const content = (answer.result as { content: { text: string }[] }).content;
  return Number(content[0]?.text);
}

describe('a burst of tools/list_changed', () => {
  it('is read once per burst, and the list read last is the list after it', async () => {
    router = createRouter({ discovery: [{ type: 'static', servers: [hostile] }], strategy: { type: 'round-robin' }, health: false, logLevel: 'silent' }, { plugins: corePlugins() });
    await router.initialize();
    expect(await listReads(router)).toBe(1);
    const flood = await router.routeRequest({ toolName: 'list_changed_flood', arguments: { count: 2000 } });
    expect(flood).toMatchObject({ success: true });
    // The upstream added `after_flood` before the burst: some read after the burst must see it.
    await expect.poll(() => router?.registry.get('noisy')?.tools.has('after_flood'), { timeout: 10_000 }).toBe(true);
    // Let any reads still queued go out, then count them.
    await new Promise((r) => setTimeout(r, 300));
    const reads = await listReads(router);
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(reads).toBeLessThanOrEqual(3);
  });
});
