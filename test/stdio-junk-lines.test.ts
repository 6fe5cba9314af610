// A stdio upstream that writes lines no client may take for a message (not JSON, JSON that is no
// object, objects that fit no JSON-RPC message, answers nobody asked for or that no client could
// take) between its answers: each is reported and dropped, the call it came with still gets its
// real answer, and the upstream serves on, neither failed over from nor ejected. The transport hands
// on any JSON object and the SDK's Protocol checks its shape (see core's isMessageShaped); this is
// that pair at work, over a real pipe to a real child process.
import { createRouter, type Router } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileStdioEntry } from './helpers/hostile.js';
import { corePlugins } from './helpers/plugins.js';

let router: Router;
beforeAll(async () => {
  router = createRouter({ discovery: [{ type: 'static', servers: [hostileStdioEntry('hostile')] }], strategy: { type: 'round-robin' }, health: false, logLevel: 'silent' }, { plugins: corePlugins() });
  await router.initialize();
});
afterAll(async () => {
  await router.close();
});

describe('a stdio upstream writing junk lines between its answers', () => {
  it('gets each call its real answer, and serves on', async () => {
    for (let i = 0; i < 3; i++) {
      const junk = await router.routeRequest({ toolName: 'junk' });
      expect(junk).toMatchObject({ success: true, serviceUsed: 'hostile', result: { content: [{ type: 'text', text: 'after junk' }] } });
      expect(junk.failoverAttempts).toBe(0);
    }
    // Concurrent calls too: the junk of one call's answer reaches no other call.
    const answers = await Promise.all([router.routeRequest({ toolName: 'junk' }), router.routeRequest({ toolName: 'echo', arguments: { text: 'beside' } }), router.routeRequest({ toolName: 'junk' })]);
    expect(answers.map((a) => a.result?.content)).toEqual([[{ type: 'text', text: 'after junk' }], [{ type: 'text', text: 'beside' }], [{ type: 'text', text: 'after junk' }]]);
    const health = await router.getServiceHealth();
    expect(health.hostile).toMatchObject({ successRate: 1, totalRequests: 6, breakerState: 'closed', consecutiveFailures: 0 });
  });
});
