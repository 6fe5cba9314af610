import { describe, expect, it } from 'vitest';
import { TaskCancelledError } from 'cockatiel';
import { runWithTimeout } from '../src/attempt-timeout.js';
import { CallCancellation } from '../src/cancel-signal.js';
import { sleep } from '../src/router/helpers.js';

describe('CallCancellation', () => {
  it('runs each listener once, in the order added, and none that was removed or came after the abort', () => {
    const cancel = new CallCancellation();
    const ran: string[] = [];
    const a = () => ran.push('a');
    const b = () => ran.push('b');
    const c = () => ran.push('c');
    cancel.addEventListener('abort', a);
    cancel.addEventListener('abort', b);
    cancel.addEventListener('abort', c);
    cancel.removeEventListener('abort', a);
    expect(cancel.aborted).toBe(false);
    cancel.abort('why');
    cancel.abort('again');
    cancel.addEventListener('abort', () => ran.push('late'));
    expect(ran).toEqual(['b', 'c']);
    expect(cancel.aborted).toBe(true);
    expect(cancel.reason).toBe('why');
  });

  it('gives a real AbortSignal only when asked, aborted with it (or already, when asked after)', () => {
    const before = new CallCancellation();
    const signal = before.signal;
    expect(before.signal).toBe(signal);
    expect(signal.aborted).toBe(false);
    before.abort('gone');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('gone');
    const after = new CallCancellation();
    after.abort('gone');
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe('gone');
  });

  it('keeps running the other listeners when one throws, and reports the error as uncaught', async () => {
    const cancel = new CallCancellation();
    const ran: string[] = [];
    cancel.addEventListener('abort', () => {
      throw new Error('listener broke');
    });
    cancel.addEventListener('abort', () => ran.push('second'));
    const reported = new Promise<unknown>((resolve) => process.prependOnceListener('uncaughtException', resolve));
    const vitestHandlers = process.listeners('uncaughtException').slice(1);
    for (const handler of vitestHandlers) process.off('uncaughtException', handler);
    try {
      cancel.abort();
      expect(ran).toEqual(['second']);
      expect(await reported).toMatchObject({ message: 'listener broke' });
    } finally {
      for (const handler of vitestHandlers) process.on('uncaughtException', handler);
    }
  });

  it('cuts an attempt, and ends a backoff sleep, as an AbortSignal would', async () => {
    const caller = new CallCancellation();
    let seen: CallCancellation | undefined;
    const outcome = runWithTimeout(({ signal }) => ((seen = signal), new Promise<never>(() => undefined)), caller, 60_000);
    const slept = sleep(60_000, caller);
    caller.abort();
    await expect(outcome).rejects.toBeInstanceOf(TaskCancelledError);
    expect(seen?.aborted).toBe(true);
    await slept;
  });

  it('lets a settled attempt go: it stops listening, so nothing piles up on a long-lived cancellation', async () => {
    class Counted extends CallCancellation {
      listening = 0;
      override addEventListener(type: 'abort', listener: () => void): void {
        this.listening++;
        super.addEventListener(type, listener);
      }
      override removeEventListener(type: 'abort', listener: () => void): void {
        this.listening--;
        super.removeEventListener(type, listener);
      }
    }
    const caller = new Counted();
    await expect(runWithTimeout(async () => 'done', caller, 60_000)).resolves.toBe('done');
    await expect(runWithTimeout(() => Promise.reject(new Error('failed')), caller, 60_000)).rejects.toThrow('failed');
    expect(caller.listening).toBe(0);
  });
});
