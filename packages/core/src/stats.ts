// Per-service numbers core keeps for strategies and reports: counts, in-flight, mean latency,
// peak-EWMA latency (Finagle/Linkerd) and p50/p99 over a ring of recent samples.
import type { ServiceStatsView } from './contracts.js';
import { LatencyWindow } from './latency-window.js';

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
  /**
   * Latencies of recent successful calls: a failure's latency (a timeout, a refused connection)
   * says how long the failure took, not how fast the service is, and would inflate the percentiles
   * that per-attempt timeouts are derived from.
   */
  readonly recent = new LatencyWindow();

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

  /** Bumped by resetLatency(): a call begun before a reset must not feed the fresh EWMA. */
  latencyEpoch = 0;

  /** Returns the latency epoch the call began in, to hand back to end(). */
  begin(): number {
    this.inFlight++;
    return this.latencyEpoch;
  }

  /** The call never ran (for example its breaker was open): undo begin() without a sample. */
  cancel(): void {
    if (this.inFlight > 0) this.inFlight--;
  }

  end(ok: boolean, latencyMs: number, now: number, epoch = this.latencyEpoch): void {
    if (this.inFlight > 0) this.inFlight--;
    this.total++;
    if (ok) this.successes++;
    else this.failures++;
    this.latencySumMs += latencyMs;
    if (ok) this.recent.add(latencyMs);
    // A call that was hanging when the service recovered would put the outage back into the EWMA.
    if (epoch === this.latencyEpoch) this.observeLatency(latencyMs, now);
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
    this.latencyEpoch++;
  }

  /** Latency percentile (0..100) over recent successful calls, in ms; 0 with no samples. */
  percentile(p: number): number {
    return this.recent.percentile(p);
  }
}
