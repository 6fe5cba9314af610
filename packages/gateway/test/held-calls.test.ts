import { describe, expect, it } from 'vitest';
import { HeldCall, HeldCalls, MAX_OPEN_QUESTIONS } from '../src/downstream/held-calls.js';

// Pure bookkeeping; the HTTP round trips are in test/gateway-bridge.test.ts.
const question = { method: 'elicitation/create', params: { message: 'ok?' } };

describe('held calls', () => {
  it('bounds the questions one call may have open: an upstream asking without end is refused', async () => {
    const call = new HeldCall(60_000);
    const signal = new AbortController().signal;
    const open = Array.from({ length: MAX_OPEN_QUESTIONS }, () => call.ask(question, signal));
    await expect(call.ask(question, signal)).rejects.toThrow(/too many open questions/);
    const step = await call.next();
    expect(step.kind === 'input' && Object.keys(step.inputRequests)).toHaveLength(MAX_OPEN_QUESTIONS);
    call.abandon('done');
    await Promise.allSettled(open);
  });

  it('holds at most max calls, and gives one up after its time', async () => {
    const calls = new HeldCalls({ max: 1, ttlMs: 30 });
    try {
      const released: string[] = [];
      const first = calls.open(async () => void released.push('first'));
      expect(first).toBeDefined();
      expect(calls.open(async () => undefined)).toBeUndefined();
      await new Promise((r) => setTimeout(r, 120));
      expect(calls.get(first!.id)).toBeUndefined();
      await expect.poll(() => released).toEqual(['first']);
      expect(calls.size).toBe(0);
    } finally {
      await calls.close();
    }
  });

  it('never gives up a call while a client round waits on a slow upstream, and gives the client its full time to answer', async () => {
    const calls = new HeldCalls({ ttlMs: 40 });
    try {
      const held = calls.open(async () => undefined)!;
      const signal = new AbortController().signal;
      let answered: unknown;
      // The upstream takes three ttls before it asks.
      held.start(async () => {
        await new Promise((r) => setTimeout(r, 120));
        answered = await held.ask(question, signal);
        return 'done';
      });
      const step = await held.next();
      expect(step.kind).toBe('input');
      // Asked only now: the client has its whole ttl from here, and the call is still held.
      expect(calls.get(held.id)).toBe(held);
      held.answer({ 'input-1': { action: 'accept' } });
      const end = await held.next();
      expect(end).toMatchObject({ kind: 'done', outcome: { status: 'fulfilled', value: 'done' } });
      expect(answered).toEqual({ action: 'accept' });
    } finally {
      await calls.close();
    }
  });
});
