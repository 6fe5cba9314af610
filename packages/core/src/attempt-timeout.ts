// One attempt cut after its time, as cockatiel's aggressive TimeoutPolicy cuts it (the same
// TaskCancelledError, so failures are classified as before), without its per-call machinery: the
// policy derived an AbortController through its event wrappers, raced two promises and disposed
// three listeners per call, which a profile of the 2026-07-28 HTTP path put at a twenty-fifth of
// the gateway's CPU per proxied call. Here: one CallCancellation, one timer, one listener. The
// attempt gets the CallCancellation, not an AbortSignal: making an AbortSignal per attempt was a
// fortieth of the gateway's CPU on the 2025 HTTP → stdio path, and an attempt that hands it to an
// API taking a CancelSignal (callUpstreamTool) never needs one; one that needs it reads `.signal`.
import { TaskCancelledError } from 'cockatiel';
import { CallCancellation, type CancelSignal } from './cancel-signal.js';

/**
 * The signal of a call whose caller gave none: it never aborts, so an attempt does not listen to it.
 * Shared, because on Node 20 making an AbortSignal (an EventTarget) costs about 3 µs and a listener
 * pair about 1.5 µs: a signal made per call only to stand for "no caller signal" was most of that.
 */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/**
 * Run `fn` with a signal that aborts when `ms` pass or `callerSignal` aborts; either rejects at
 * once with TaskCancelledError (the attempt is abandoned, not awaited). Settling first clears the
 * timer and leaves the signal alone: aborting after a success would make the SDK tell the upstream
 * a finished request was cancelled.
 */
/** What AbortController.abort() gives its signal: the reason an upstream's cancel notice carries, as before. */
const abortReason = (): DOMException => new DOMException('This operation was aborted', 'AbortError');

export function runWithTimeout<T>(fn: (context: { signal: CallCancellation }) => Promise<T>, callerSignal: CancelSignal, ms: number): Promise<T> {
  const controller = new CallCancellation();
  if (callerSignal.aborted) {
    controller.abort(abortReason());
    return Promise.reject(new TaskCancelledError(`Operation timed out after ${ms}ms`));
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const cut = (): void => {
      if (settled) return;
      settle();
      controller.abort(abortReason());
      reject(new TaskCancelledError(`Operation timed out after ${ms}ms`));
    };
    const timer = setTimeout(cut, ms);
    // Nothing to listen to on the shared never-aborted signal (and concurrent calls would pile listeners on it).
    const linked = callerSignal !== NEVER_ABORTED;
    const settle = (): void => {
      settled = true;
      clearTimeout(timer);
      if (linked) callerSignal.removeEventListener('abort', cut);
    };
    if (linked) callerSignal.addEventListener('abort', cut);
    let running: Promise<T>;
    try {
      running = fn({ signal: controller });
    } catch (error) {
      settle();
      reject(error);
      return;
    }
    Promise.resolve(running).then(
      (value) => {
        if (settled) return;
        settle();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settle();
        reject(error);
      },
    );
  });
}
