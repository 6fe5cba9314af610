// Bridging a 2026-07-28 client to a 2025 upstream that asks for input mid-call. A 2025 server asks
// with a server-to-client request (sampling, elicitation, roots) while the call is open; a
// 2026-07-28 client can only be asked with an `input_required` result and answers by retrying the
// call. So the gateway holds the upstream call: it runs on an upstream session of its own (every
// request that arrives on it belongs to this call, nothing to attribute), each request the upstream
// sends becomes an entry of `inputRequests`, and the client's retry answers them and waits again
// for the upstream's result or its next question. The client sees one call with one answer, in as
// many rounds as the upstream asks. The held call lives on this instance only: its sealed
// requestState names it, and a retry that reaches another instance, or comes after the call ended,
// gets a clear error at once. How many are held, and for how long, is bounded.
import { randomUUID } from 'node:crypto';
import type { Request, Result } from '../sdk/mcp.js';

/** What a round of a held call ended with. */
export type HeldStep = { readonly kind: 'done'; readonly outcome: PromiseSettledResult<unknown> } | { readonly kind: 'input'; readonly inputRequests: Record<string, unknown> };

/** Questions one held call may have open at once: an upstream asking without end must not grow it. */
export const MAX_OPEN_QUESTIONS = 32;

interface Question {
  readonly request: Request;
  answer(result: Result): void;
  fail(error: Error): void;
}

export class HeldCall {
  readonly id = randomUUID();
  /** The replica serving it, once the router picked one. */
  service = '';
  private readonly questions = new Map<string, Question>();
  private asked = 0;
  private outcome: PromiseSettledResult<unknown> | undefined;
  private wake: (() => void) | undefined;
  /** Date.now() after which it is given up (renewed on each round). */
  expiresAt: number;
  /** A client round is waiting on it now (for the upstream's next step): never given up meanwhile. */
  waiting = false;
  /** Where the upstream's progress goes: the round the client is waiting on now, if it asked for progress. */
  onProgress: ((progress: { progress: number; total?: number; message?: string }) => void) | undefined;

  constructor(private readonly ttlMs: number) {
    this.expiresAt = Date.now() + ttlMs;
  }

  /** The upstream call has ended (answered or failed). */
  get settled(): boolean {
    return this.outcome !== undefined;
  }

  /** The upstream reported progress: to the round waiting now (a round between retries has nobody to tell). */
  progress(progress: { progress: number; total?: number; message?: string }): void {
    this.onProgress?.(progress);
  }

  /** Run the upstream call; its result (or failure) ends the held call. */
  start(call: () => Promise<unknown>): void {
    call().then(
      (value) => this.settle({ status: 'fulfilled', value }),
      (reason: unknown) => this.settle({ status: 'rejected', reason }),
    );
  }

  /** The upstream asked for input (the session's forwardRequest): held until the client answers. */
  ask(request: Request, signal: AbortSignal): Promise<Result> {
    if (this.questions.size >= MAX_OPEN_QUESTIONS) return Promise.reject(new Error(`too many open questions (${MAX_OPEN_QUESTIONS}) for one held call`));
    return new Promise<Result>((resolve, reject) => {
      const key = `input-${++this.asked}`;
      const done = (): void => void this.questions.delete(key);
      this.questions.set(key, {
        request,
        answer: (result) => (done(), resolve(result)),
        fail: (error) => (done(), reject(error)),
      });
      signal.addEventListener('abort', () => this.questions.get(key)?.fail(new Error('the upstream withdrew its request')), { once: true });
      this.wake?.();
    });
  }

  /** Wait for the upstream's result or its next questions. */
  async next(): Promise<HeldStep> {
    this.expiresAt = Date.now() + this.ttlMs;
    this.waiting = true;
    try {
      while (this.outcome === undefined && this.questions.size === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    } finally {
      this.waiting = false;
    }
    this.wake = undefined;
    // The client's time to answer starts when it is asked, however long the upstream took to ask.
    this.expiresAt = Date.now() + this.ttlMs;
    if (this.outcome) return { kind: 'done', outcome: this.outcome };
    const inputRequests: Record<string, unknown> = {};
    for (const [key, q] of this.questions) inputRequests[key] = { method: q.request.method, ...(q.request.params ? { params: q.request.params } : {}) };
    return { kind: 'input', inputRequests };
  }

  /** The client's answers (`inputResponses` of its retry) to the questions still open. */
  answer(responses: Record<string, unknown>): void {
    for (const [key, response] of Object.entries(responses)) {
      const q = this.questions.get(key);
      if (q && typeof response === 'object' && response !== null) q.answer(response as Result);
    }
  }

  /** Give up: every open question fails, so the upstream's call ends with an error. */
  abandon(reason: string): void {
    for (const q of [...this.questions.values()]) q.fail(new Error(reason));
  }

  private settle(outcome: PromiseSettledResult<unknown>): void {
    this.outcome = outcome;
    this.wake?.();
  }
}

export interface HeldCallsOptions {
  /** Most calls held at once on this instance (default 256); beyond it a call runs unbridged. */
  readonly max?: number;
  /** How long a held call waits for the client's retry (default 5 minutes). */
  readonly ttlMs?: number;
}

export class HeldCalls {
  private readonly calls = new Map<string, { call: HeldCall; release: () => Promise<void> }>();
  private readonly max: number;
  private readonly ttlMs: number;
  private readonly reaper: NodeJS.Timeout;

  constructor(options: HeldCallsOptions = {}) {
    this.max = options.max ?? 256;
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.reaper = setInterval(() => this.reap(), Math.max(20, Math.min(this.ttlMs / 2, 10_000)));
    this.reaper.unref();
  }

  get size(): number {
    return this.calls.size;
  }

  /** A new held call, or undefined when the instance holds as many as it may. `release` frees what it holds upstream. */
  open(release: () => Promise<void>): HeldCall | undefined {
    if (this.calls.size >= this.max) return undefined;
    const call = new HeldCall(this.ttlMs);
    this.calls.set(call.id, { call, release });
    return call;
  }

  get(id: string): HeldCall | undefined {
    const held = this.calls.get(id);
    return held && held.call.expiresAt > Date.now() ? held.call : undefined;
  }

  /** The call is over (answered, or given up): release its upstream session. */
  async finish(call: HeldCall, reason = 'the call is over'): Promise<void> {
    const held = this.calls.get(call.id);
    if (!held) return;
    this.calls.delete(call.id);
    call.abandon(reason);
    await held.release().catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.reaper);
    await Promise.all([...this.calls.values()].map(({ call }) => this.finish(call, 'the gateway is closing')));
  }

  private reap(): void {
    const now = Date.now();
    for (const { call } of this.calls.values()) if (!call.waiting && call.expiresAt <= now) void this.finish(call, 'the client did not answer in time');
  }
}
