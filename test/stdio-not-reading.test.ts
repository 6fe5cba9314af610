// An upstream process that stops reading its stdin (hung, or its event loop blocked): requests
// would queue in the pipe's buffer until each call timed out, and stay there after. Past 4 ×
// maxMessageBytes unread, a new request is refused at once as never delivered, so it can fail over
// and the router's memory stays bounded. The upstream is a real process on a stdio pipe.
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

describe('an upstream that stops reading its stdin', () => {
  it('gets no more than 4 × maxMessageBytes queued; later calls are refused at once, as never delivered', async () => {
    const stuck = { name: 'stuck', transport: 'stdio', command: process.execPath, args: [HOSTILE_UPSTREAM, 'stdio', '--stop-reading'], maxMessageBytes: 256 * 1024 };
    router = createRouter(
      { discovery: [{ type: 'static', servers: [stuck, stdioFixtureEntry('good', ['whoami'])] }], strategy: { type: 'first-match' }, health: false, logLevel: 'silent', failover: { timeoutMs: 20_000 } },
      { plugins: corePlugins() },
    );
    await router.initialize();
    const text = 'x'.repeat(100_000);
    // 30 calls of 100 KB: the first ten or so fill the pipe and the 1 MiB allowed; the rest are refused.
    const calls = Array.from({ length: 30 }, () => router!.routeRequest({ toolName: 'echo', arguments: { text } }));
    const refused = await Promise.race([
      Promise.all(calls.slice(20)),
      new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 10_000)),
    ]);
    expect(refused).not.toBe('still waiting');
    for (const answer of refused as Awaited<(typeof calls)[number]>[]) {
      expect(answer.success).toBe(false);
      expect(JSON.stringify(answer)).toMatch(/the process is not reading its stdin: \d+ bytes sent to it wait unread \(over 4 × maxMessageBytes, 1048576\); nothing was sent/);
    }
    const other = await router.routeRequest({ toolName: 'whoami', arguments: {} });
    expect(other).toMatchObject({ success: true, serviceUsed: 'good' });
    // The calls that were written wait for their timeout; closing the router ends them.
  });
});
