// A signal that aborts when `parent` does or after `ms`, whichever comes first, held by strong
// references. `AbortSignal.any([parent, AbortSignal.timeout(ms)])` keeps only weak references to
// its sources, and on Node 20 a timeout signal nobody else holds can be garbage-collected before it
// fires: the request it guards then hangs for good (seen under memory pressure in the test suite).
export interface Deadline {
  readonly signal: AbortSignal;
  /** Clear the timer and the parent listener once the guarded work is done. */
  dispose(): void;
}

export function deadline(parent: AbortSignal | undefined, ms: number): Deadline {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  timer.unref?.();
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}
