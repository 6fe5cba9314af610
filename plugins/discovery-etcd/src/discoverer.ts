// The etcd Discoverer: reads every server entry under a prefix, then watches the prefix from the
// revision of that read + 1, so nothing written between the read and the watch is missed. When
// etcd becomes unreachable it keeps the last known catalogue (a router keeps routing to servers
// that are most likely still up) and reconnects with capped backoff; each reconnect re-reads,
// reconciles and watches again from the new revision, which also survives compaction.
import {
  SwitchboardError,
  type Discoverer,
  type DiscoverySink,
  type Logger,
  type ServiceDescriptor,
  type ServiceEvent,
} from '@switchboard/core';
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { Backoff } from './backoff.js';
import { Catalogue } from './catalogue.js';
import { createEtcdClient, describeError, isPermanent } from './client.js';
import { parseEntry } from './entry.js';
import type { EtcdOptions } from './options.js';
import { PLUGIN_NAME } from './plugin-name.js';

/** How long stop() and a resync wait for etcd to acknowledge a watch cancel before moving on. */
const CANCEL_GRACE_MS = 1_000;

export class EtcdDiscoverer implements Discoverer {
  private readonly catalogue: Catalogue;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private client: Etcd3 | undefined;
  private sink: DiscoverySink | undefined;
  private watcher: Watcher | undefined;
  /** Bumped on every resync and outage: events from an older watcher are ignored. */
  private generation = 0;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  /** Whether the last contact with etcd worked, so an outage is reported once, not per retry. */
  private reachable = true;
  private syncChain: Promise<void> = Promise.resolve();
  /** The mod revision of each bad value already warned about, so a refresh does not repeat it. */
  private readonly warned = new Map<string, string>();
  /** Keys already warned about as shadowed by another key with the same name (key → owner). */
  private readonly shadowWarned = new Map<string, string>();

  constructor(
    readonly id: string,
    private readonly options: EtcdOptions,
    logger: Logger,
  ) {
    this.catalogue = new Catalogue(id);
    this.backoff = new Backoff(options.backoff);
    this.log = logger.child({ plugin: PLUGIN_NAME, discoverer: id });
  }

  async start(sink: DiscoverySink): Promise<void> {
    if (this.state !== 'idle') {
      throw new SwitchboardError('DISCOVERY_ERROR', `etcd discoverer ${this.id} was already started`, { plugin: PLUGIN_NAME });
    }
    this.state = 'running';
    this.sink = sink;
    this.client = createEtcdClient(this.options);
    try {
      await this.sync();
    } catch (error) {
      if (isPermanent(error)) {
        await this.stop();
        throw new SwitchboardError(
          'DISCOVERY_ERROR',
          `etcd at ${this.options.endpoints.join(', ')} refused to list ${this.options.prefix}: ${describeError(error)}. ` +
            'Check the discovery auth username and password and that the user may read the prefix.',
          { plugin: PLUGIN_NAME, cause: error },
        );
      }
      // An unreachable etcd must not stop the router from starting: start empty, keep trying.
      this.outage(error);
    }
  }

  /** Re-read the prefix and reconcile; during an outage it leaves the catalogue as it is. */
  async refresh(): Promise<void> {
    if (this.state !== 'running') return;
    try {
      await this.sync();
    } catch (error) {
      this.outage(error);
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.generation += 1;
    this.backoff.cancel();
    await this.cancelWatcher();
    // Closing the client fails any read still in flight; sync() checks `state` after each await,
    // so nothing is emitted once stop() has resolved.
    this.client?.close();
    this.client = undefined;
  }

  /** Names currently reported, for diagnostics. */
  names(): string[] {
    return this.catalogue.names();
  }

  /** Serialised: refresh() and a reconnect may ask at the same time, and reads must not interleave. */
  private sync(): Promise<void> {
    const run = this.syncChain.catch(() => undefined).then(() => this.syncOnce());
    this.syncChain = run;
    return run;
  }

  private async syncOnce(): Promise<void> {
    const client = this.client;
    if (this.state !== 'running' || !client) return;
    const generation = ++this.generation;
    await this.cancelWatcher();
    const response = await client.getAll().prefix(this.options.prefix).exec();
    if (this.state !== 'running' || generation !== this.generation) return;

    const snapshot = new Map<string, ServiceDescriptor>();
    const seen = new Set<string>();
    for (const kv of response.kvs) {
      const key = kv.key.toString();
      seen.add(key);
      const descriptor = this.parse(key, kv);
      if (descriptor) snapshot.set(key, descriptor);
    }
    for (const key of this.warned.keys()) if (!seen.has(key)) this.warned.delete(key);
    for (const key of this.shadowWarned.keys()) if (!snapshot.has(key)) this.shadowWarned.delete(key);
    this.emitAll(this.catalogue.replaceAll(snapshot));
    for (const [key, descriptor] of snapshot) this.warnIfShadowed(key, descriptor.name);

    // A retry still pending from an outage is moot now that a read worked (a refresh got there first).
    this.backoff.cancel();
    if (!this.reachable) {
      this.reachable = true;
      this.log.info('etcd reachable again; catalogue reconciled', { services: this.catalogue.names().length });
    }
    await this.watch(client, generation, BigInt(response.header.revision) + 1n);
  }

  private async watch(client: Etcd3, generation: number, fromRevision: bigint): Promise<void> {
    const watcher = client.watch().prefix(this.options.prefix).startRevision(fromRevision.toString()).watcher();
    this.watcher = watcher;
    const current = (): boolean => generation === this.generation && this.state === 'running';
    watcher.on('put', (kv) => {
      if (current()) this.applyPut(kv);
    });
    watcher.on('delete', (kv) => {
      if (current()) this.applyDelete(kv);
    });
    // The library would resume this watcher on its own, but only from its last revision and
    // without a re-read; owning the reconnect keeps one path for every outage and for compaction.
    watcher.on('disconnected', (error) => {
      if (current()) this.outage(error);
    });
    // Always listened to, even once stale: an unhandled EventEmitter 'error' would crash the process.
    watcher.on('error', (error) => {
      if (current()) this.outage(error);
    });
    // Reset only once the watch is live: a read that works beside a watch that keeps failing
    // must still back off.
    watcher.on('connected', () => {
      if (current()) this.backoff.reset();
    });
    // Wait for etcd to accept the watch so that start() and refresh() resolve with it live; the
    // revision makes this a latency matter only, never a correctness one, hence the bound.
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        watcher.off('connected', done).off('disconnected', done).off('error', done);
        resolve();
      };
      const timer = setTimeout(done, this.options.dialTimeoutMs);
      timer.unref();
      watcher.on('connected', done).on('disconnected', done).on('error', done);
    });
  }

  private applyPut(kv: IKeyValue): void {
    const key = kv.key.toString();
    const descriptor = this.parse(key, kv);
    // A key that was valid and now is not must disappear: set(key, undefined) removes it.
    this.emitAll(this.catalogue.set(key, descriptor));
    if (descriptor) this.warnIfShadowed(key, descriptor.name);
    else this.shadowWarned.delete(key);
  }

  private applyDelete(kv: IKeyValue): void {
    const key = kv.key.toString();
    this.warned.delete(key);
    this.shadowWarned.delete(key);
    this.emitAll(this.catalogue.set(key, undefined));
  }

  private parse(key: string, kv: IKeyValue): ServiceDescriptor | undefined {
    const parsed = parseEntry(key, this.options.prefix, kv.value.toString(), this.id);
    if (parsed.ok) {
      this.warned.delete(key);
      return parsed.descriptor;
    }
    if (this.warned.get(key) !== kv.mod_revision) {
      this.warned.set(key, kv.mod_revision);
      this.sink?.warn(`etcd key ${key} skipped: ${parsed.reason}`, { plugin: PLUGIN_NAME, key });
    }
    return undefined;
  }

  private warnIfShadowed(key: string, name: string): void {
    const owner = this.catalogue.ownerOf(name);
    if (owner === undefined || owner === key) {
      this.shadowWarned.delete(key);
    } else if (this.shadowWarned.get(key) !== owner) {
      this.shadowWarned.set(key, owner);
      this.sink?.warn(`etcd key ${key} names service "${name}", already provided by ${owner}; it is used only if that key goes`, {
        plugin: PLUGIN_NAME,
        key,
        owner,
      });
    }
  }

  /** etcd is unreachable (or the watch broke): keep the catalogue, say so once, retry later. */
  private outage(error: unknown): void {
    if (this.state !== 'running') return;
    this.generation += 1;
    void this.cancelWatcher();
    if (this.reachable) {
      this.reachable = false;
      const message = `etcd unreachable at ${this.options.endpoints.join(', ')}: ${describeError(error)}; keeping the last known catalogue and reconnecting`;
      this.log.warn(message);
      this.sink?.warn(message, { plugin: PLUGIN_NAME });
    }
    if (this.backoff.pending) return;
    const delay = this.backoff.schedule(() => {
      this.sync().catch((retryError: unknown) => {
        if (isPermanent(retryError)) this.log.error('etcd refused the re-read; will keep trying', { error: describeError(retryError) });
        this.outage(retryError);
      });
    });
    this.log.debug('etcd reconnect scheduled', { delayMs: delay });
  }

  private async cancelWatcher(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = undefined;
    if (!watcher) return;
    // cancel() waits for etcd's acknowledgement, which never comes if the stream dies meanwhile.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      watcher.cancel().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CANCEL_GRACE_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  private emitAll(events: readonly ServiceEvent[]): void {
    for (const event of events) {
      try {
        this.sink?.emit(event);
      } catch (error) {
        // A throwing sink must not break the watch stream (etcd3 rethrows handler errors async).
        this.log.error('discovery sink threw', { error: describeError(error) });
      }
    }
  }
}
