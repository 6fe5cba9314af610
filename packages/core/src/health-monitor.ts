// Runs the configured HealthChecker over every service on an interval and hands each result to the
// service guard, which applies the consecutive-failure/success thresholds.
import { deadline } from './deadline.js';
import type { HealthChecker } from './contracts.js';
import type { HealthConfig } from './config/schema.js';
import type { ServiceEntry, ServiceRegistry } from './registry.js';

export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly aborter = new AbortController();

  constructor(
    private readonly checker: HealthChecker | undefined,
    private readonly config: HealthConfig,
    private readonly registry: ServiceRegistry,
    private readonly ping: (entry: ServiceEntry, signal: AbortSignal) => Promise<void>,
    /** Where each result goes: the service guard, the one writer of health state. */
    private readonly record: (entry: ServiceEntry, healthy: boolean, detail?: string, latencyMs?: number) => void,
    /** A check failed on a service judged down: the router drops the shared connection so the next probe starts afresh. */
    private readonly onCheckFailed: (entry: ServiceEntry) => void = () => undefined,
  ) {}

  start(): void {
    if (!this.checker) return;
    this.timer = setInterval(() => void this.checkAll(), this.config.intervalMs);
    this.timer.unref();
  }

  /** One round over every service; overlapping rounds are skipped, not queued. */
  checkAll(): Promise<void> {
    if (this.running) return this.running;
    this.running = Promise.all(this.registry.all().map((e) => this.checkOne(e))).then(
      () => {
        this.running = undefined;
      },
      () => {
        this.running = undefined;
      },
    );
    return this.running;
  }

  async checkOne(entry: ServiceEntry): Promise<void> {
    if (!this.checker) return;
    const limit = deadline(this.aborter.signal, this.config.timeoutMs);
    const signal = limit.signal;
    let healthy: boolean;
    let detail: string | undefined;
    let latencyMs: number | undefined;
    try {
      const result = await this.checker.check({ service: entry.descriptor, ping: (abort) => this.ping(entry, abort) }, signal);
      healthy = result.healthy;
      detail = result.detail;
      latencyMs = result.latencyMs;
    } catch (error) {
      healthy = false;
      detail = signal.aborted && !this.aborter.signal.aborted ? `health check timed out after ${this.config.timeoutMs} ms` : (error as Error).message;
    } finally {
      limit.dispose();
    }
    if (this.aborter.signal.aborted) return;
    this.record(entry, healthy, detail, latencyMs);
    // Only a service judged down gets its shared connection dropped: one slow ping must not cost a
    // working server its session (for stdio, its process).
    if (!healthy && entry.health.status === 'unhealthy') this.onCheckFailed(entry);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.aborter.abort();
  }
}
