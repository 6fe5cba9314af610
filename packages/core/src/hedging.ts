// Hedged attempts (the tail-at-scale technique): the first attempt of a safe-to-repeat call runs
// alone for a delay; if it has not settled by then, a second one starts on another service, and
// whichever succeeds first is the answer. The slower attempt is not cancelled: it runs to its own
// end (its per-attempt timeout bounds it), so a service that hangs is still charged with its
// timeout and ejected, instead of being let off by a cancellation.
import type { ServiceEntry } from './registry.js';

export interface HedgeAttempt<T> {
  readonly entry: ServiceEntry;
  /** When it started (the router's clock), to measure the winner's own latency. */
  readonly started: number;
  /** Whether the request left for the server (the dispatcher's retry-safety input). */
  readonly progress: { sent: boolean };
  readonly promise: Promise<T>;
}

/** Every attempt launched failed; in the order they were launched. */
export class HedgeFailure extends Error {
  constructor(readonly failures: ReadonlyArray<{ attempt: HedgeAttempt<unknown>; error: unknown }>) {
    super('every hedged attempt failed');
    this.name = 'HedgeFailure';
  }
}

/**
 * Settle with the first success among `primary` and (after `delayMs`, if `primary` is still
 * running) the attempt `startHedge` launches, if it launches one. Rejects with the primary's own
 * error when it fails before a hedge started, or with a HedgeFailure once every launched attempt
 * has failed.
 */
export function raceHedged<T>(
  primary: HedgeAttempt<T>,
  delayMs: number,
  startHedge: () => HedgeAttempt<T> | undefined,
): Promise<{ attempt: HedgeAttempt<T>; value: T }> {
  return new Promise((resolve, reject) => {
    const failures: Array<{ attempt: HedgeAttempt<T>; error: unknown }> = [];
    let running = 1;
    let settled = false;
    let hedged = false;
    const watch = (attempt: HedgeAttempt<T>): void => {
      attempt.promise.then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ attempt, value });
        },
        (error: unknown) => {
          running--;
          if (settled) return;
          failures.push({ attempt, error });
          if (!hedged && attempt === primary) {
            // Failed before any hedge: the ordinary failover path takes it from here.
            settled = true;
            clearTimeout(timer);
            reject(error);
          } else if (running === 0) {
            settled = true;
            reject(new HedgeFailure(failures));
          }
        },
      );
    };
    const timer = setTimeout(() => {
      if (settled) return;
      const hedge = startHedge();
      if (!hedge) return;
      hedged = true;
      running++;
      watch(hedge);
    }, delayMs);
    watch(primary);
  });
}
