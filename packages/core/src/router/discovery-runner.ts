// Runs the discoverers: starts them with a sink that feeds the registry, refreshes and
// reconfigures them, stops them, and connects each service they report in the background so its
// tools are listed and its health known before the first call.
import type { Discoverer, DiscoverySink } from '../contracts.js';
import type { Logger } from '../logger.js';
import type { UpstreamPool } from '../pool.js';
import type { ServiceEntry, ServiceRegistry } from '../registry.js';
import { withTimeout } from './helpers.js';
import type { ServiceGuard } from './service-guard.js';

/** Discovery problems kept for one-shot commands, newest last. */
const MAX_DISCOVERY_PROBLEMS = 50;

export class DiscoveryRunner {
  /** What discoverers reported as problems (an unreadable servers file, a bad record). */
  readonly problems: Array<{ source: string; message: string }> = [];
  private readonly warming = new Set<Promise<void>>();
  private lastRunAt = 0;
  private stopped = false;

  constructor(
    readonly discoverers: readonly Discoverer[],
    private readonly registry: ServiceRegistry,
    private readonly pool: UpstreamPool,
    private readonly guard: ServiceGuard,
    private readonly logger: Logger,
    private readonly timeoutMs: () => number,
  ) {}

  /** Seconds since the last full discovery (0 before the first). */
  get ageSeconds(): number {
    return this.lastRunAt === 0 ? 0 : (Date.now() - this.lastRunAt) / 1000;
  }

  async start(): Promise<void> {
    await Promise.all(this.discoverers.map((d) => this.startOne(d)));
    this.lastRunAt = Date.now();
    await this.settle();
  }

  async refresh(): Promise<void> {
    await Promise.all(
      this.discoverers.map(async (d) => {
        if (!d.refresh) return;
        try {
          await withTimeout(d.refresh(), this.timeoutMs());
        } catch (error) {
          this.logger.warn('discovery refresh failed', { plugin: d.id, error });
        }
      }),
    );
    this.lastRunAt = Date.now();
    await this.settle();
  }

  /** Apply no more discovery events (the router is closing); stop() then releases the discoverers. */
  halt(): void {
    this.stopped = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.discoverers.map((d) => d.stop().catch((error: unknown) => this.logger.warn('discoverer failed to stop', { plugin: d.id, error }))));
  }

  /** Connect in the background so tools are listed and health is known before the first call. */
  warm(entry: ServiceEntry): void {
    const task = this.pool.client(entry.descriptor).then(
      () => {
        if (entry.health.status === 'unknown') this.guard.recordHealth(entry, true);
      },
      (error: unknown) => {
        // The health change ("service is unhealthy", with this detail) is the line an operator
        // reads; the same failure again at warn would only repeat it.
        this.guard.recordHealth(entry, false, (error as Error).message);
        this.logger.debug('cannot connect to service', { service: entry.name, error });
      },
    );
    this.warming.add(task);
    void task.finally(() => this.warming.delete(task));
  }

  /** Wait (bounded) for the background connects started so far. */
  async settle(): Promise<void> {
    if (this.warming.size === 0) return;
    await withTimeout(Promise.all([...this.warming]), this.timeoutMs()).catch(() => undefined);
  }

  private sinkFor(discoverer: Discoverer): DiscoverySink {
    return {
      emit: (event) => {
        if (this.stopped) return;
        try {
          this.registry.apply(event);
        } catch (error) {
          this.logger.error('discovery event could not be applied', { plugin: discoverer.id, error });
        }
      },
      warn: (message, fields) => {
        this.logger.warn(message, { plugin: discoverer.id, ...fields });
        if (this.problems.push({ source: discoverer.id, message }) > MAX_DISCOVERY_PROBLEMS) this.problems.shift();
      },
    };
  }

  private async startOne(discoverer: Discoverer): Promise<void> {
    try {
      await withTimeout(discoverer.start(this.sinkFor(discoverer)), this.timeoutMs());
    } catch (error) {
      // One broken discoverer must not stop the others from serving.
      this.logger.error('discoverer failed to start', { plugin: discoverer.id, error });
    }
  }
}
