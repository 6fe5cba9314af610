import { TaskCancelledError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { runWithTimeout } from '../src/attempt-timeout.js';
import type { CallCancellation } from '../src/cancel-signal.js';
import { classifyFailure } from '../src/failure.js';

const never = new AbortController().signal;

describe('runWithTimeout', () => {
  it('cuts an attempt at its time: rejects at once as a timeout and aborts the attempt', async () => {
    let seen: CallCancellation | undefined;
    const started = performance.now();
    let forApi: AbortSignal | undefined;
    // An attempt that hands an AbortSignal-only API its cancellation reads .signal at the start.
    const outcome = runWithTimeout(({ signal }) => ((seen = signal), (forApi = signal.signal), new Promise<never>(() => undefined)), never, 30);
    await expect(outcome).rejects.toBeInstanceOf(TaskCancelledError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(seen?.aborted).toBe(true);
    expect(forApi?.aborted).toBe(true);
    expect((forApi?.reason as Error).name).toBe('AbortError');
    // Classified as before: a timeout of the service, which fails over.
    const error = await outcome.catch((e: unknown) => e);
    expect(classifyFailure(error, 'svc', 30)).toMatchObject({ failover: true, error: { code: 'TIMEOUT' } });
  });

  it('ends when the caller gives up, without waiting for the attempt', async () => {
    const caller = new AbortController();
    let seen: CallCancellation | undefined;
    const outcome = runWithTimeout(({ signal }) => ((seen = signal), new Promise<never>(() => undefined)), caller.signal, 60_000);
    caller.abort();
    await expect(outcome).rejects.toBeInstanceOf(TaskCancelledError);
    expect(seen?.aborted).toBe(true);
  });

  it('does not start an attempt for a caller that already gave up', async () => {
    const caller = new AbortController();
    caller.abort();
    let ran = false;
    await expect(runWithTimeout(async () => void (ran = true), caller.signal, 1_000)).rejects.toBeInstanceOf(TaskCancelledError);
    expect(ran).toBe(false);
  });

  it('returns what the attempt returns, leaves its signal unaborted and drops its listener on the caller', async () => {
    const caller = new AbortController();
    let seen: CallCancellation | undefined;
    await expect(runWithTimeout(async ({ signal }) => ((seen = signal), 'answer'), caller.signal, 1_000)).resolves.toBe('answer');
    await new Promise((r) => setTimeout(r, 5));
    expect(seen?.aborted).toBe(false);
    // The listener is gone: aborting the caller now aborts nothing.
    caller.abort();
    expect(seen?.aborted).toBe(false);
  });

  it('passes the attempt’s own failure on, thrown or rejected', async () => {
    const boom = new Error('boom');
    await expect(runWithTimeout(() => Promise.reject(boom), never, 1_000)).rejects.toBe(boom);
    await expect(
      runWithTimeout(() => {
        throw boom;
      }, never, 1_000),
    ).rejects.toBe(boom);
  });

  it('ignores an attempt that settles after it was cut', async () => {
    let finish!: (v: string) => void;
    const outcome = runWithTimeout(() => new Promise<string>((r) => (finish = r)), never, 10);
    await expect(outcome).rejects.toBeInstanceOf(TaskCancelledError);
    finish('late');
    await expect(outcome).rejects.toBeInstanceOf(TaskCancelledError);
  });
});
