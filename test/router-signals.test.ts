// A routed call whose caller gave no signal makes no AbortSignal at all: on Node 20 an AbortSignal
// costs about 3 µs to make and a listener pair about 1.5 µs. The dispatcher used to make one per
// call only to stand for "no caller signal" (and the attempt listened to it), and the attempt made
// one for its timeout; now the attempt's cancellation is a CallCancellation, which the 2025-era
// tools/call lane (callUpstreamTool) takes as it is.
import { getEventListeners } from 'node:events';
import { createRouter, type Router } from '@switchboard/core';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEVER_ABORTED } from '../packages/core/src/attempt-timeout.js';
import { corePlugins } from './helpers/plugins.js';
import { countSignals, type SignalCount } from './helpers/signal-count.js';

let signals: SignalCount;

let router: Router;
beforeAll(async () => {
  router = createRouter({ discovery: [{ type: 'static', servers: [stdioFixtureEntry('one', ['echo'])] }], strategy: { type: 'round-robin' }, health: false, logLevel: 'silent' }, { plugins: corePlugins() });
  await router.initialize();
  // Warm: the session is open and the tool listed before anything is counted.
  expect(await router.routeRequest({ toolName: 'echo', arguments: { text: 'warm' } })).toMatchObject({ success: true });
  signals = countSignals();
});
afterAll(async () => {
  signals.stop();
  await router.close();
});

describe('routed calls without a caller signal', () => {
  it('make no AbortSignal, and listen to nothing shared', async () => {
    signals.reset();
    const calls = 20;
    let done = false;
    const all = Promise.all(Array.from({ length: calls }, (_, i) => router.routeRequest({ toolName: 'echo', arguments: { text: `call ${i}` } }))).finally(() => (done = true));
    // The most listeners on the shared never-aborted signal while the calls are in flight.
    let sharedListeners = 0;
    while (!done) {
      sharedListeners = Math.max(sharedListeners, getEventListeners(NEVER_ABORTED, 'abort').length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const answers = await all;
    expect(answers.map((a) => a.success && (a.result as { content: Array<{ text: string }> }).content[0]!.text)).toEqual(Array.from({ length: calls }, (_, i) => `call ${i}`));
    expect(signals.made).toBe(0);
    // While they ran, nothing piled listeners on the shared never-aborted signal.
    expect(sharedListeners).toBe(0);
  });
});
