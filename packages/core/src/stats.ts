// Per-service numbers core keeps for strategies and reports: counts, in-flight, mean latency,
// peak-EWMA latency (Finagle/Linkerd) and p50/p99 over a ring of recent samples.
import type { ServiceStatsView } from './contracts.js';

const WINDOW = 256;
/** Decay time of the EWMA: an old measurement's weight halves every ~7 s. */
const DECAY_MS = 10_000;

export class ServiceStats implements ServiceStatsView {
  inFlight = 0;
  total = 0;
  successes = 0;
  failures = 0;
  private latencySumMs = 0;
  private ewmaMs = 0;
  private ewmaStamp = 0;
  // Allocated on the first sample, so a registered but idle service costs a few hundred bytes.
  private window: Float32Array | undefined; // float32: a latency needs no more precision
  private windowCount = 0;
  private windowNext = 0;

  get successRate(): number {
    return this.total === 0 ? 1 : this.successes / this.total;
  }

  get averageLatencyMs(): number {
    return this.total === 0 ? 0 : this.latencySumMs / this.total;
  }

  /** Peak-EWMA decayed toward zero while idle, so a once-slow service is eventually probed again. */
  ewmaLatencyMs(now: number): number {
    if (this.ewmaStamp === 0) return 0;
    const elapsed = now - this.ewmaStamp;
    return elapsed <= 0 ? this.ewmaMs : this.ewmaMs * Math.exp(-elapsed / DECAY_MS);
  }

  begin(): void {
    this.inFlight++;
  }

  /** The call never ran (for example its breaker was open): undo begin() without a sample. */
  cancel(): void {
    if (this.inFlight > 0) this.inFlight--;
  }

  end(ok: boolean, latencyMs: number, now: number): void {
    if (this.inFlight > 0) this.inFlight--;
    this.total++;
    if (ok) this.successes++;
    else this.failures++;
    this.latencySumMs += latencyMs;
    (this.window ??= new Float32Array(WINDOW))[this.windowNext] = latencyMs;
    this.windowNext = (this.windowNext + 1) % WINDOW;
    if (this.windowCount < WINDOW) this.windowCount++;
    this.observeLatency(latencyMs, now);
  }

  /** Feed a latency sample (a call, or a health ping) into the peak-EWMA. */
  observeLatency(latencyMs: number, now: number): void {
    const current = this.ewmaLatencyMs(now);
    if (this.ewmaStamp === 0 || latencyMs > current) {
      this.ewmaMs = latencyMs; // peak: jump up at once, so a slowing server is avoided immediately
    } else {
      const w = Math.exp(-Math.max(0, now - this.ewmaStamp) / DECAY_MS);
      this.ewmaMs = current * w + latencyMs * (1 - w);
    }
    this.ewmaStamp = now || 1;
  }

  /** Forget the EWMA (after a recovery): latencies from the failure say nothing about the service now. */
  resetLatency(): void {
    this.ewmaMs = 0;
    this.ewmaStamp = 0;
  }

  /** Latency percentile (0..100) over the recent window, in ms; 0 with no samples. */
  percentile(p: number): number {
    if (this.windowCount === 0 || !this.window) return 0;
    const sorted = Array.from(this.window.subarray(0, this.windowCount)).sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank]!;
  }
}
