// Browses DNS-SD `_mcp._tcp.local` over mDNS: PTR queries find instances, their SRV/TXT/A/AAAA
// records (answers or additionals) resolve them, and the cache's TTLs decide when to re-query and
// when a silent instance is gone. Every change becomes an added/updated/removed event.
import type { Discoverer, DiscoverySink, Logger } from '@switchboard/core';
import type { ResponsePacket } from 'multicast-dns';
import { MdnsCache } from './cache.js';
import { mdnsError } from './errors.js';
import type { MdnsOptions } from './options.js';
import { recordsOf, type Question } from './records.js';
import { openMdnsSocket, type MdnsSocket } from './socket.js';
import { ServiceView } from './view.js';

type State = 'idle' | 'running' | 'stopped';

/**
 * A pass over the cache (the questions still missing, the view's diff, the next deadline) costs in
 * proportion to the instances held. Passes are spaced so that they take at most this share of the
 * event loop: a link that sends packets faster than the router can walk its cache gets fewer passes,
 * not a stalled process.
 */
const PASS_SHARE = 0.1;
/** The longest a packet's effect waits for the next pass, however slow passes get. */
const MAX_PASS_GAP_MS = 250;

export class MdnsDiscoverer implements Discoverer {
  private state: State = 'idle';
  private socket: MdnsSocket | undefined;
  private sink: DiscoverySink | undefined;
  private readonly cache: MdnsCache;
  private readonly view: ServiceView;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private browseTimer: NodeJS.Timeout | undefined;
  /** The pass that applies what packets changed, when one is scheduled. */
  private passTimer: NodeJS.Timeout | undefined;
  private passAfter = 0;
  /** The cache was full when last checked: warned once until it has room again. */
  private cacheFull = false;
  /** Pending start()/refresh() collection windows, cut short by stop(). */
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  constructor(
    readonly id: string,
    private readonly options: MdnsOptions,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {
    // An instance whose address is not in the same packet gets as long as start() would give it.
    this.cache = new MdnsCache(options.serviceType, { addressWaitMs: options.initialWaitMs, maxInstances: options.maxInstances });
    this.view = new ServiceView(id);
  }

  async start(sink: DiscoverySink): Promise<void> {
    if (this.state !== 'idle') throw mdnsError('DISCOVERY_ERROR', `mDNS discoverer ${this.id} was already started`);
    this.state = 'running';
    this.sink = sink;
    const socket = await openMdnsSocket({ interface: this.options.interface, port: this.options.mdnsPort, logger: this.logger });
    if (this.isStopped()) {
      await socket.close();
      return;
    }
    this.socket = socket;
    socket.mdns.on('response', (packet: ResponsePacket) => this.onResponse(packet));
    await this.browse(false);
    if (this.isStopped()) return;
    this.browseTimer = setInterval(() => void this.browse(true), this.options.queryIntervalMs);
    this.browseTimer.unref();
    await this.collect();
  }

  /**
   * One collection window: wait half of it, ask once more (a responder can miss or drop the first
   * query, and RFC 6762 lets it delay answers 20-120 ms; Avahi is often slower), wait the rest.
   * Every answer in the window is in the first view, so a one-shot discovery answers the same way
   * every time.
   */
  private async collect(): Promise<void> {
    const half = Math.floor(this.options.initialWaitMs / 2);
    await this.wait(half);
    if (this.isStopped()) return;
    await this.browse(false, true);
    await this.wait(this.options.initialWaitMs - half);
    this.reconcile();
  }

  async refresh(): Promise<void> {
    if (this.state !== 'running' || !this.socket) return;
    // No known answers: every live responder answers, so the collection window sees them all.
    await this.browse(false, true);
    await this.collect();
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearTimeout(this.deadlineTimer);
    clearInterval(this.browseTimer);
    clearTimeout(this.passTimer);
    this.passTimer = undefined;
    for (const pending of this.waits) {
      clearTimeout(pending.timer);
      pending.resolve();
    }
    this.waits.clear();
    const socket = this.socket;
    this.socket = undefined;
    await socket?.close();
    this.cache.clear();
  }

  /** A packet costs in proportion to its records; what it changed is applied by the next pass. */
  private onResponse(packet: ResponsePacket): void {
    if (this.isStopped()) return;
    if (!this.cache.apply(recordsOf(packet), this.now())) return;
    this.requestPass();
  }

  private onDeadline(): void {
    if (this.isStopped()) return;
    const { changed, questions } = this.cache.tick(this.now());
    if (questions.length > 0) void this.send(questions, true);
    if (changed) this.requestPass();
    else this.schedule();
  }

  /** Schedule a pass: at once (after the packets already read), or once the previous pass's spacing is over. */
  private requestPass(): void {
    if (this.passTimer !== undefined || this.isStopped()) return;
    this.passTimer = setTimeout(() => this.pass(), Math.max(0, Math.ceil(this.passAfter - this.now())));
    this.passTimer.unref();
  }

  private pass(): void {
    this.passTimer = undefined;
    if (this.isStopped()) return;
    const started = this.now();
    const missing = this.cache.missingQuestions(started);
    if (missing.length > 0) void this.send(missing, false);
    this.reconcile();
    this.schedule();
    const took = this.now() - started;
    this.passAfter = this.now() + Math.min(MAX_PASS_GAP_MS, took / PASS_SHARE - took);
  }

  /** One timer for the cache's next refresh or expiry, whichever comes first. */
  private schedule(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const next = this.cache.nextDeadline();
    if (next === undefined || this.isStopped()) return;
    // +1 ms: timers and performance.now() round differently; firing early would just reschedule.
    this.deadlineTimer = setTimeout(() => this.onDeadline(), Math.max(0, Math.ceil(next - this.now())) + 1);
    this.deadlineTimer.unref();
  }

  private reconcile(): void {
    if (this.isStopped() || !this.sink) return;
    const { events, warnings } = this.view.update(this.cache.ready(this.now()));
    this.reportCacheBound();
    for (const warning of warnings) this.sink.warn(warning.message, warning.fields);
    for (const event of events) this.sink.emit(event);
  }

  /** Warn once when new instances start being ignored, and again only after the cache had room. */
  private reportCacheBound(): void {
    const refused = this.cache.takeRefused();
    if (refused > 0 && !this.cacheFull) {
      this.cacheFull = true;
      this.sink?.warn(
        `mDNS: ignoring new instances of ${this.options.serviceType}: the cache holds its limit of ${this.options.maxInstances}. Raise maxInstances if the network really has more.`,
        { serviceType: this.options.serviceType, maxInstances: this.options.maxInstances, ignoredRecords: refused },
      );
    } else if (this.cacheFull && this.cache.size < this.options.maxInstances) {
      this.cacheFull = false;
    }
  }

  private async browse(withKnownAnswers: boolean, forceMissing = false): Promise<void> {
    const questions: Question[] = [{ name: this.options.serviceType, type: 'PTR' }, ...this.cache.missingQuestions(this.now(), forceMissing)];
    await this.send(questions, withKnownAnswers);
  }

  private async send(questions: readonly Question[], withKnownAnswers: boolean): Promise<void> {
    const socket = this.socket;
    if (!socket || this.isStopped()) return;
    const answers = withKnownAnswers && questions.some((q) => q.type === 'PTR') ? this.cache.knownAnswers(this.now()) : [];
    const error = await socket.query({
      questions: questions.map((q) => ({ name: q.name, type: q.type, class: 'IN' as const })),
      answers: answers.map((a) => ({ name: a.name, type: 'PTR' as const, ttl: a.ttl, data: a.data })),
    });
    if (error && !this.isStopped()) this.sink?.warn('mDNS query could not be sent', { error: error.message, interface: this.options.interface });
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.isStopped()) return resolve();
      const pending = {
        timer: setTimeout(() => {
          this.waits.delete(pending);
          resolve();
        }, ms),
        resolve,
      };
      pending.timer.unref();
      this.waits.add(pending);
    });
  }

  /** A method, not a field read, so TypeScript does not narrow `state` across awaits. */
  private isStopped(): boolean {
    return this.state === 'stopped';
  }
}
