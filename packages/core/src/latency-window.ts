// Recent latencies of successful calls in a fixed ring, with a percentile that is recomputed only
// every few samples: the dispatcher reads it on every call (per-attempt timeouts, hedging delays),
// so the read must be cheap, and a few samples of lag do not matter.
const SIZE = 256;
/**
 * The ring's first size; it doubles as samples come, up to SIZE (most services of a big fleet see
 * few calls). Small rings are plain arrays: a typed array costs ~180 bytes of objects however small,
 * so the ring becomes one only past PLAIN_UP_TO samples.
 */
const FIRST_SIZE = 2;
const PLAIN_UP_TO = 8;
/** New samples after which a cached percentile is computed again. */
const REFRESH_EVERY = 16;

export class LatencyWindow {
  // Allocated on the first sample and grown as samples come, so an idle service or tool costs a
  // few dozen bytes and a rarely called one a few hundred, not the full window's kilobyte.
  private ring: Float32Array | number[] | undefined; // float32 once grown: a latency needs no more precision
  private count = 0;
  private next = 0;
  /** One cached value per percentile asked for (the dispatcher asks for two: p99 and p95). */
  private cached: Array<{ p: number; value: number; at: number }> | undefined;
  private added = 0;

  get size(): number {
    return this.count;
  }

  add(latencyMs: number): void {
    let ring = (this.ring ??= new Array<number>(FIRST_SIZE).fill(0));
    if (this.next === ring.length && ring.length < SIZE) {
      // Not wrapped yet (next === count): grow, keeping the samples where they are.
      const length = Math.min(SIZE, ring.length * 2);
      const grown = length <= PLAIN_UP_TO ? new Array<number>(length).fill(0) : new Float32Array(length);
      for (let i = 0; i < ring.length; i++) grown[i] = ring[i]!;
      this.ring = ring = grown;
    }
    ring[this.next] = latencyMs;
    this.next = (this.next + 1) % SIZE;
    if (this.count < SIZE) this.count++;
    this.added++;
  }

  /**
   * Percentile (0..100) over the window, in ms; 0 with no samples. Sorts a copy: for reports, and
   * every REFRESH_EVERY samples for the hot path. A typed array's sort is numeric and native, several
   * times cheaper than an array's sort with a comparator.
   */
  percentile(p: number): number {
    const ring = this.ring;
    if (this.count === 0 || !ring) return 0;
    const sorted = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) sorted[i] = ring[i]!;
    sorted.sort();
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank]!;
  }

  /** The same, cached until REFRESH_EVERY more samples arrive: for the hot path. */
  recentPercentile(p: number): number {
    let c = this.cached?.find((x) => x.p === p);
    if (c && this.added - c.at < REFRESH_EVERY) return c.value;
    if (!c) (this.cached ??= []).push((c = { p, value: 0, at: 0 }));
    c.value = this.percentile(p);
    c.at = this.added;
    return c.value;
  }
}
