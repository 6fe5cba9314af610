// What core reads of a caller's cancellation, and a cheap one to give it. Every routed call is
// handed its caller's signal, and most callers make one per call only in case it is cancelled
// (a 2025 session's `tools/call` is cancelled by a `notifications/cancelled` that rarely comes). On
// Node 20 an AbortSignal is an EventTarget that costs about 3 µs to make and 1.5 µs per listener
// pair; a profile of the gateway's 2025 HTTP → stdio calls at capacity put the one made per call at
// a thirtieth of its CPU. A CallCancellation is an object and a listener slot until it fires.

/** The part of AbortSignal core uses: an AbortSignal is one, and so is a CallCancellation. */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A cancellation for one call: `abort()` runs its listeners once, as an AbortSignal's abort event
 * would. `signal` is a real AbortSignal tied to it, made only when something asks for one (an API
 * that takes nothing else), and aborted with it.
 */
export class CallCancellation implements CancelSignal {
  private state: { reason: unknown } | undefined;
  // Most calls get one listener (their attempt's) at a time: an array only past that.
  private listener: (() => void) | undefined;
  private more: Array<() => void> | undefined;
  private controller: AbortController | undefined;

  get aborted(): boolean {
    return this.state !== undefined;
  }

  get reason(): unknown {
    return this.state?.reason;
  }

  /** An AbortSignal that aborts with this one (already aborted if this one is). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.state) this.controller.abort(this.state.reason);
    }
    return this.controller.signal;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    // As on an AbortSignal, a listener added after the abort never runs.
    if (this.state) return;
    if (this.listener === undefined) this.listener = listener;
    else (this.more ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.listener === listener) {
      this.listener = this.more?.shift();
      return;
    }
    const at = this.more?.indexOf(listener) ?? -1;
    if (at >= 0) this.more!.splice(at, 1);
  }

  /** Cancel: the first call wins, later ones do nothing. Listeners run once, in the order added. */
  abort(reason: unknown = new Error('This operation was aborted')): void {
    if (this.state) return;
    this.state = { reason };
    const listeners = [...(this.listener ? [this.listener] : []), ...(this.more ?? [])];
    this.listener = undefined;
    this.more = undefined;
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        // As an EventTarget does: the error is reported as uncaught, the other listeners still run.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.controller?.abort(reason);
  }
}

/**
 * An AbortSignal for an API that takes nothing else: the signal itself, a CallCancellation's own
 * (made now), or one tied to any other CancelSignal.
 */
export function toAbortSignal(cancel: CancelSignal): AbortSignal {
  if (cancel instanceof AbortSignal) return cancel;
  if (cancel instanceof CallCancellation) return cancel.signal;
  const controller = new AbortController();
  if (cancel.aborted) controller.abort(cancel.reason);
  else cancel.addEventListener('abort', () => controller.abort(cancel.reason), { once: true });
  return controller.signal;
}
