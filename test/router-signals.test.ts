// A routed call whose caller gave no signal makes only the signal its attempt needs: on Node 20 an
// AbortSignal costs about 3 µs to make and a listener pair about 1.5 µs, and the dispatcher used to
// make one more per call only to stand for "no caller signal" (and the attempt listened to it).
import { getEventListeners } from 'node:events';
import { createRouter, type Router } from '@switchboard/core';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEVER_ABORTED } from '../packages/core/src/attempt-timeout.js';
import { corePlugins } from './helpers/plugins.js';
import { countSignals, type SignalCount } from './helpers/signal-count.js';

let signals: SignalCount;
// The most listeners on the shared never-aborted signal seen as a signal was made: an attempt
// makes its own after it has linked itself to its caller's, so one listening would show here.
let sharedListeners = 0;

let router: Router;
beforeAll(async () => {
  router = createRouter({ discovery: [{ type: 'static', servers: [stdioFixtureEntry('one', ['echo'])] }], strategy: { type: 'round-robin' }, health: false, logLevel: 'silent' }, { plugins: corePlugins() });
  await router.initialize();
  // Warm: the session is open and the tool listed before anything is counted.
  expect(await router.routeRequest({ toolName: 'echo', arguments: { text: 'warm' } })).toMatchObject({ success: true });
  signals = countSignals(() => {
    sharedListeners = Math.max(sharedListeners, getEventListeners(NEVER_ABORTED, 'abort').length);
  });
});
afterAll(async () => {
  signals.stop();
  await router.close();
});

describe('routed calls without a caller signal', () => {
  it('make one AbortSignal per call (the attempt’s), and listen to nothing shared', async () => {
    signals.reset();
    sharedListeners = 0;
    const calls = 20;
    const answers = await Promise.all(Array.from({ length: calls }, (_, i) => router.routeRequest({ toolName: 'echo', arguments: { text: `call ${i}` } })));
    expect(answers.every((a) => a.success)).toBe(true);
    expect(signals.made).toBe(calls);
    // While they ran, nothing piled listeners on the shared never-aborted signal.
    expect(sharedListeners).toBe(0);
  });
});
