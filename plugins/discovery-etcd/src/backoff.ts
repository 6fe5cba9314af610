// Capped exponential backoff with jitter, for reconnecting to etcd. The timer is unref()ed so a
// pending retry never keeps the process alive, and cancel() makes stop() leave nothing behind.

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export class Backoff {
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: BackoffOptions) {}

  /** The delay before the next attempt: initial × 2^n, capped, with ±20 % jitter so routers spread out. */
  nextDelayMs(): number {
    const base = Math.min(this.options.maxMs, this.options.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /** Run `task` after the next delay, replacing any pending one. Returns the delay used. */
  schedule(task: () => void): number {
    this.cancel();
    const delay = this.nextDelayMs();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      task();
    }, delay);
    this.timer.unref();
    return delay;
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Back to the initial delay, after a success. */
  reset(): void {
    this.attempt = 0;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
