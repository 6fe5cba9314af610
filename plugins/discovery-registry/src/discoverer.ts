// Keeps a catalogue of the remote MCP servers an MCP Registry lists. The first read (and any read
// after one that never succeeded) takes every page; later reads ask only for what changed since
// the last good one (`updated_since`) and apply it. A failed read changes nothing: the last known
// catalogue stays in force and the failure is a warning, never a thrown error.
import { sameDescriptor, type Discoverer, type DiscoverySink, type Logger, type ServiceDescriptor } from '@switchboard/core';
import { compileNamePattern } from './name-filter.js';
import type { RegistryOptions } from './options.js';
import { RegistryClient } from './registry-client.js';
import { servicesOf, type MappingContext, type Note, type ServerVerdict } from './server-services.js';

export class RegistryDiscoverer implements Discoverer {
  private readonly client: RegistryClient;
  private readonly mapping: MappingContext;
  /** What has been reported, by registry server name (one server may be several services). */
  private readonly catalogue = new Map<string, ReadonlyMap<string, ServiceDescriptor>>();
  /** Start time of the last read that succeeded, RFC 3339: the next `updated_since`. */
  private lastReadAt: string | undefined;
  private readonly warned = new Set<string>();
  private readonly stopping = new AbortController();
  private sink: DiscoverySink | undefined;
  private reading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    private readonly options: RegistryOptions,
    private readonly logger: Logger,
  ) {
    this.client = new RegistryClient(options);
    this.mapping = {
      source: id,
      registryUrl: options.url,
      includeDeprecated: options.includeDeprecated,
      nameFilter: compileNamePattern(options.namePattern),
      inputs: options.inputs,
    };
  }

  /** The list endpoint read, for messages and tests. */
  get endpoint(): string {
    return this.client.endpoint.href;
  }

  /** Resolves after the first read has been reported, or has failed with a warning. */
  async start(sink: DiscoverySink): Promise<void> {
    this.sink = sink;
    await this.refresh();
  }

  /** Read now. Concurrent calls share one read. */
  refresh(): Promise<void> {
    if (this.stopped || !this.sink) return Promise.resolve();
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
      this.schedule();
    });
    return this.reading;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.reading?.catch(() => undefined);
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async read(): Promise<void> {
    // Taken before the request: a change landing while pages are read is fetched again next
    // time rather than missed (applying it twice is a no-op).
    const startedAt = new Date().toISOString();
    const since = this.lastReadAt;
    let items: unknown[];
    try {
      items = await this.client.readAll(since === undefined ? {} : { updatedSince: since }, this.stopping.signal);
    } catch (error) {
      if (this.stopped) return;
      const message = error instanceof Error ? error.message : String(error);
      const kept = [...this.catalogue.values()].reduce((n, services) => n + services.size, 0);
      this.sink?.warn(`${message}; keeping the last known catalogue (${kept} services)`, { plugin: 'discovery-registry', source: this.id, cause: error });
      return;
    }
    if (this.stopped) return;
    const verdicts = items.map((item) => servicesOf(item, this.mapping));
    for (const verdict of verdicts) this.log(verdict.notes);
    if (since === undefined) this.replaceAll(verdicts);
    else this.applyChanges(verdicts);
    this.lastReadAt = startedAt;
    this.logger.debug('read the MCP registry', { source: this.id, url: this.endpoint, items: items.length, since, servers: this.catalogue.size });
  }

  /** A full read: the result is the whole catalogue, so what it lacks is gone. */
  private replaceAll(verdicts: readonly ServerVerdict[]): void {
    const next = new Map<string, readonly ServiceDescriptor[]>();
    for (const verdict of verdicts) if (verdict.kind === 'server') next.set(verdict.serverName, verdict.services);
    for (const serverName of [...this.catalogue.keys()]) if (!next.has(serverName)) this.setServer(serverName, []);
    for (const [serverName, services] of next) this.setServer(serverName, services);
  }

  /** An `updated_since` read: only the servers it lists changed. */
  private applyChanges(verdicts: readonly ServerVerdict[]): void {
    for (const verdict of verdicts) if (verdict.kind === 'server') this.setServer(verdict.serverName, verdict.services);
  }

  private setServer(serverName: string, services: readonly ServiceDescriptor[]): void {
    const sink = this.sink;
    if (!sink) return;
    const before = this.catalogue.get(serverName) ?? new Map<string, ServiceDescriptor>();
    const after = new Map(services.map((service) => [service.name, service]));
    for (const name of before.keys()) if (!after.has(name)) sink.emit({ type: 'removed', name, source: this.id });
    for (const [name, service] of after) {
      const previous = before.get(name);
      if (!previous) sink.emit({ type: 'added', service });
      else if (!sameDescriptor(previous, service)) sink.emit({ type: 'updated', service });
    }
    if (after.size) this.catalogue.set(serverName, after);
    else this.catalogue.delete(serverName);
  }

  private log(notes: readonly Note[]): void {
    for (const note of notes) {
      if (note.level === 'debug') {
        this.logger.debug(note.message, { source: this.id, ...note.fields });
      } else if (!this.warned.has(note.key)) {
        // The same unfillable template would otherwise be warned about on every refresh.
        this.warned.add(note.key);
        this.sink?.warn(note.message, { plugin: 'discovery-registry', source: this.id, ...note.fields });
      }
    }
  }

  private schedule(): void {
    if (this.stopped || this.options.refreshIntervalMs === undefined) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), this.options.refreshIntervalMs);
    this.timer.unref();
  }
}
