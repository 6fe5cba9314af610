// A retry budget (Finagle, Envoy): retries may add at most `percent` of recent requests, plus a
// floor per second so a quiet router can still fail over. A failing fleet then sees a bounded
// amount of extra load instead of a retry storm.
const BUCKETS = 10;
const BUCKET_MS = 1_000;

export class RetryBudget {
  private readonly requests = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);
  private bucketStart = 0;
  private current = 0;

  constructor(
    private readonly percent: number,
    private readonly minPerSecond: number,
    private readonly now: () => number,
  ) {}

  private rotate(): void {
    const now = this.now();
    if (this.bucketStart === 0) this.bucketStart = now;
    let steps = Math.floor((now - this.bucketStart) / BUCKET_MS);
    if (steps <= 0) return;
    this.bucketStart += steps * BUCKET_MS;
    if (steps > BUCKETS) steps = BUCKETS;
    while (steps-- > 0) {
      this.current = (this.current + 1) % BUCKETS;
      this.requests[this.current] = 0;
      this.retries[this.current] = 0;
    }
  }

  recordRequest(): void {
    this.rotate();
    this.requests[this.current]!++;
  }

  /** Take one retry from the budget; false when the window's allowance is spent. */
  tryRetry(): boolean {
    this.rotate();
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < BUCKETS; i++) {
      requests += this.requests[i]!;
      retries += this.retries[i]!;
    }
    const allowance = (requests * this.percent) / 100 + this.minPerSecond * (BUCKETS * BUCKET_MS) / 1000;
    if (retries + 1 > allowance) return false;
    this.retries[this.current]!++;
    return true;
  }
}

/** Full-jitter exponential backoff (AWS architecture blog): uniform in [0, min(max, base·2^attempt)). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  if (baseMs <= 0) return 0;
  return random() * Math.min(maxMs, baseMs * 2 ** attempt);
}
