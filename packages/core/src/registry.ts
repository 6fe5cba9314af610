// The live catalogue: every known service with its descriptor, capabilities, tools, health,
// breaker state and stats. Discovery and health write to it in the background; the hot path reads
// cached candidate lists that are rebuilt only when something changed.
import { EventEmitter } from 'node:events';
import { type Tool } from './sdk/mcp.js';
import type { Candidate, ServiceEvent } from './contracts.js';
import { sameDescriptor, type ServiceDescriptor } from './descriptor.js';
import { SharedToolLists } from './shared-tool-lists.js';
import { ServiceStats } from './stats.js';
import { EMPTY_CATALOG, type UpstreamCatalog } from './upstream-catalog.js';

export type HealthStatus = 'unknown' | 'healthy' | 'unhealthy';

export interface HealthState {
  status: HealthStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  lastCheckAt?: number;
  lastLatencyMs?: number;
  lastError?: string;
}

export type BreakerStatus = 'closed' | 'open' | 'half-open';

/**
 * The one status every report shows (getServiceHealth, /services, the dashboard, metrics): health
 * checks and the breaker together. 'ejected' is a service whose checks may pass but whose breaker
 * (or outlier ejection) keeps it out of routing.
 */
export type ServiceStatus = 'unknown' | 'healthy' | 'unhealthy' | 'ejected';

/** The tools of a service whose list was never read: one map shared by all, never written. */
const NO_TOOLS: ReadonlyMap<string, Tool> = new Map();

export class ServiceEntry implements Candidate {
  readonly stats = new ServiceStats();
  /** Replaced whole when the upstream's list is read (see ServiceRegistry.setCatalog), never edited. */
  tools: ReadonlyMap<string, Tool> = NO_TOOLS;
  toolsKnown = false;
  /** Everything the upstream offers, as last read (see upstream-catalog.ts); written only by the registry. */
  catalog: UpstreamCatalog = EMPTY_CATALOG;
  readonly health: HealthState = { status: 'unknown', consecutiveFailures: 0, consecutiveSuccesses: 0 };
  breaker: BreakerStatus = 'closed';
  /** While the breaker is open, when it lets one trial call through (performance.now() ms). */
  breakerReopenAt = 0;
  /** A trial call is testing this service after its breaker's open time (see Router.runOn). */
  trialInFlight = false;
  /** Hedge races lost in a row: another replica answered while this one had not (see Router). */
  hedgeLosses = 0;
  /** Times the breaker opened, in all and in a row (the open time grows with the latter). */
  ejections = 0;
  consecutiveEjections = 0;
  /** The failure-rate window: when it started, and its calls and failures so far. */
  windowStart = 0;
  windowCalls = 0;
  windowFailures = 0;
  /**
   * Every source's view of this service, in the order they reported it, when there is more than the
   * one in force; see `sources`. Nearly every service has one source, and even a one-element array
   * costs 56 bytes.
   */
  private several: ServiceDescriptor[] | undefined;

  constructor(
    public descriptor: ServiceDescriptor,
    readonly order: number,
  ) {}

  /** Every source's view of this service, in the order they reported it; the first is the one in force. */
  get sources(): readonly ServiceDescriptor[] {
    return this.several ?? [this.descriptor];
  }

  /** For the registry, the only writer: the sources from now on. */
  setSources(sources: ServiceDescriptor[]): void {
    this.several = sources.length === 1 && sources[0] === this.descriptor ? undefined : sources;
  }

  get name(): string {
    return this.descriptor.name;
  }

  /** Capabilities from config/advertisement plus every tool name the server lists. */
  get capabilities(): string[] {
    return [...new Set([...this.descriptor.capabilities, ...this.tools.keys()])];
  }

  // Looked up in place rather than through a Set built per service: the capability list is a
  // handful of names, and the candidate lists that call this are cached (see ServiceRegistry).
  has(capability: string): boolean {
    return this.tools.has(capability) || this.descriptor.capabilities.includes(capability);
  }

  get status(): ServiceStatus {
    if (this.health.status === 'unhealthy') return 'unhealthy';
    if (this.breaker === 'open') return 'ejected';
    return this.health.status;
  }

  routable(now: number): boolean {
    return this.health.status !== 'unhealthy' && (this.breaker !== 'open' || now >= this.breakerReopenAt);
  }

}

export interface CandidateSet {
  /** Healthy, eligible services in priority order (or all eligible ones, in panic). */
  readonly list: readonly ServiceEntry[];
  /** True when no eligible service was healthy, so the list holds unhealthy ones as a last resort. */
  readonly panic: boolean;
}

const EMPTY: CandidateSet = Object.freeze({ list: Object.freeze([]) as readonly ServiceEntry[], panic: false });

export interface RegistryEvents {
  added: [ServiceEntry];
  updated: [ServiceEntry, ServiceDescriptor];
  removed: [ServiceEntry];
  tools: [ServiceEntry];
  /** Any list of the upstream's catalogue was read again (tools, resources, templates, prompts). */
  catalog: [ServiceEntry];
  health: [ServiceEntry];
  changed: [];
}

export class ServiceRegistry extends EventEmitter<RegistryEvents> {
  private readonly entries = new Map<string, ServiceEntry>();
  private sorted: ServiceEntry[] = [];
  private cache = new Map<string, CandidateSet>();
  private nextOrder = 0;
  /** Services listing the same tools (replicas) share one copy of the list and its index. */
  private readonly toolLists = new SharedToolLists();
  /** Earliest time an open breaker re-admits its service: the cache is stale from then on. */
  private nextReadmitAt = Infinity;
  version = 0;
  /**
   * Envoy's healthy panic threshold: when fewer than this share of the eligible services are
   * healthy, route across all of them, so one bad minute cannot pile every request onto the few left.
   */
  panicThresholdPercent = 50;

  get size(): number {
    return this.entries.size;
  }

  get(name: string): ServiceEntry | undefined {
    return this.entries.get(name);
  }

  all(): readonly ServiceEntry[] {
    return this.sorted;
  }

  /** Apply a discovery event. Merge rule: one service per name; the first source to report it wins. */
  apply(event: ServiceEvent): void {
    if (event.type === 'removed') return this.removeSource(event.name, event.source);
    const descriptor = event.service;
    const existing = this.entries.get(descriptor.name);
    if (!existing) {
      const entry = new ServiceEntry(descriptor, this.nextOrder++);
      this.entries.set(descriptor.name, entry);
      this.invalidate();
      this.emit('added', entry);
      return;
    }
    const current = existing.sources; // (made on each read for a one-source service: read once)
    const at = current.findIndex((d) => d.source === descriptor.source);
    const previous = at === -1 ? undefined : current[at];
    // The same view again (a re-announcement, a reload): nothing changes, the one held stays.
    if (previous && sameDescriptor(previous, descriptor)) return;
    const sources = [...current];
    if (at === -1) sources.push(descriptor);
    else sources[at] = descriptor;
    if (existing.descriptor.source !== descriptor.source) return existing.setSources(sources); // a second source; the first stays in force
    const old = existing.descriptor;
    existing.descriptor = descriptor;
    existing.setSources(sources);
    this.invalidate();
    this.emit('updated', existing, old);
  }

  private removeSource(name: string, source: string): void {
    const entry = this.entries.get(name);
    const current = entry?.sources;
    const at = current ? current.findIndex((d) => d.source === source) : -1;
    if (!entry || !current || at === -1) return;
    const sources = current.filter((_, i) => i !== at);
    if (sources.length === 0) {
      this.entries.delete(name);
      this.invalidate();
      this.emit('removed', entry);
      return;
    }
    if (entry.descriptor.source !== source) return entry.setSources(sources);
    const old = entry.descriptor;
    entry.descriptor = sources[0]!;
    entry.setSources(sources);
    this.invalidate();
    this.emit('updated', entry, old);
  }

  setTools(entry: ServiceEntry, tools: readonly Tool[]): void {
    this.setCatalog(entry, { tools });
  }

  /** Lists read from the upstream replace the ones held; lists not given are kept. */
  setCatalog(entry: ServiceEntry, lists: Partial<UpstreamCatalog>): void {
    const before = entry.catalog;
    const tools = lists.tools ? this.toolLists.intern(lists.tools) : undefined;
    // Built field by field (a spread makes a slower, larger object), with the freshness record
    // shared when neither side has one.
    entry.catalog = {
      tools: tools ? tools.list : before.tools,
      resources: lists.resources ?? before.resources,
      resourceTemplates: lists.resourceTemplates ?? before.resourceTemplates,
      prompts: lists.prompts ?? before.prompts,
      freshness: lists.freshness === undefined || Object.keys(lists.freshness).length === 0 ? before.freshness : { ...before.freshness, ...lists.freshness },
    };
    if (tools) {
      entry.tools = tools.byName;
      entry.toolsKnown = true;
      this.invalidate(false);
      this.emit('tools', entry);
    }
    this.emit('catalog', entry);
  }

  /** Health or breaker state changed: candidate lists must be rebuilt. */
  markChanged(entry: ServiceEntry): void {
    if (entry.breaker === 'open') this.nextReadmitAt = Math.min(this.nextReadmitAt, entry.breakerReopenAt);
    this.invalidate(false);
    this.emit('health', entry);
  }

  /**
   * Candidates for a request: services having every required capability (a tool name counts as
   * one), healthy and not behind an open breaker, in priority order. `preferred` narrows the list
   * to services having that capability too, when any do (the pattern's request_type).
   * Cached per key until the catalogue changes, so the hot path is a map lookup.
   */
  candidates(key: string, required: readonly string[], preferred: string | undefined, now: number): CandidateSet {
    if (now >= this.nextReadmitAt) {
      this.nextReadmitAt = Infinity;
      this.invalidate(false);
    }
    const cached = this.cache.get(key);
    if (cached) return cached;
    const set = this.compute(required, preferred, now);
    if (this.cache.size > 10_000) this.cache.clear(); // bound memory against unbounded key variety
    this.cache.set(key, set);
    return set;
  }

  private compute(required: readonly string[], preferred: string | undefined, now: number): CandidateSet {
    let eligible = this.sorted.filter((e) => required.every((c) => e.has(c)));
    if (preferred !== undefined) {
      const narrowed = eligible.filter((e) => e.has(preferred));
      if (narrowed.length > 0) eligible = narrowed;
    }
    if (eligible.length === 0) return EMPTY;
    const healthy = eligible.filter((e) => e.routable(now));
    for (const e of eligible) {
      if (e.breaker === 'open' && now < e.breakerReopenAt) this.nextReadmitAt = Math.min(this.nextReadmitAt, e.breakerReopenAt);
    }
    if (healthy.length > 0 && healthy.length * 100 >= eligible.length * this.panicThresholdPercent) return { list: healthy, panic: false };
    // Panic (Envoy): too few healthy (maybe the health checks are wrong, maybe the rest would be
    // overloaded): route across every eligible service whose breaker is not open.
    const lastResort = eligible.filter((e) => e.breaker !== 'open' || now >= e.breakerReopenAt);
    if (lastResort.length > healthy.length) return { list: lastResort, panic: true };
    return healthy.length > 0 ? { list: healthy, panic: false } : EMPTY;
  }

  /** Drop cached candidate lists; re-sort only when membership or priority may have changed. */
  private invalidate(resort = true): void {
    this.version++;
    this.cache = new Map();
    if (resort) this.sorted = [...this.entries.values()].sort((a, b) => a.descriptor.priority - b.descriptor.priority || a.order - b.order);
    this.emit('changed');
  }

  clear(): void {
    for (const entry of [...this.entries.values()]) {
      this.entries.delete(entry.name);
      this.emit('removed', entry);
    }
    this.invalidate();
  }
}
