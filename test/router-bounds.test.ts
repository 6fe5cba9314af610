// What a router-API caller names cannot grow the router without bound: a latency window per
// operation is kept for at most MAX_OPERATION_WINDOWS operations, whatever tool names arrive.
import { createRouter, type Router } from '@switchboard/core';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OPERATION_WINDOWS, type Dispatcher } from '../packages/core/src/router/dispatcher.js';
import { corePlugins } from './helpers/plugins.js';

let router: Router;
beforeAll(async () => {
  router = createRouter({ discovery: [{ type: 'static', servers: [stdioFixtureEntry('one', ['echo'])] }], strategy: { type: 'round-robin' }, health: false, logLevel: 'silent' }, { plugins: corePlugins() });
  await router.initialize();
});
afterAll(() => router.close());

describe('router bounds', () => {
  it('keeps latency windows for at most MAX_OPERATION_WINDOWS operations', async () => {
    for (let i = 0; i < MAX_OPERATION_WINDOWS + 50; i++) {
      const answer = await router.routeRequest({ toolName: `no-such-tool-${i}` });
      expect(answer.success).toBe(false);
    }
    const dispatcher = (router as unknown as { parts: { dispatcher: Dispatcher } }).parts.dispatcher;
    expect(dispatcher.operationWindows).toBeLessThanOrEqual(MAX_OPERATION_WINDOWS);
    expect(await router.routeRequest({ toolName: 'echo', arguments: { text: 'still' } })).toMatchObject({ success: true });
  });
});
