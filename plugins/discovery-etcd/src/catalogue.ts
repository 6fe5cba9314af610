// What one etcd discoverer has reported, keyed by etcd key, and the per-name view it publishes.
// Keys and names are not one-to-one: two keys may carry the same `name` (two replicas registered
// under one name by mistake). The registry knows one service per name and source, so the
// lexicographically first key owns a name; when it goes, the next key takes over instead of the
// service vanishing while a replica is still registered.
import { sameDescriptor, type ServiceDescriptor, type ServiceEvent } from '@switchboard/core';

interface Published {
  readonly key: string;
  readonly descriptor: ServiceDescriptor;
}

export class Catalogue {
  private readonly byKey = new Map<string, ServiceDescriptor>();
  private readonly keysByName = new Map<string, Set<string>>();
  private readonly published = new Map<string, Published>();

  constructor(private readonly source: string) {}

  /** Set (or, with undefined, clear) one key; returns the events that bring the view up to date. */
  set(key: string, descriptor: ServiceDescriptor | undefined): ServiceEvent[] {
    const affected = new Set<string>();
    const previous = this.byKey.get(key);
    if (previous) {
      affected.add(previous.name);
      this.unindex(key, previous.name);
    }
    if (descriptor) {
      affected.add(descriptor.name);
      this.byKey.set(key, descriptor);
      this.index(key, descriptor.name);
    }
    return this.publish(affected);
  }

  /** Replace everything with a fresh full read; returns the events that reconcile the view. */
  replaceAll(snapshot: ReadonlyMap<string, ServiceDescriptor>): ServiceEvent[] {
    const affected = new Set<string>(this.published.keys());
    this.byKey.clear();
    this.keysByName.clear();
    for (const [key, descriptor] of snapshot) {
      this.byKey.set(key, descriptor);
      this.index(key, descriptor.name);
      affected.add(descriptor.name);
    }
    return this.publish(affected);
  }

  /** The key whose entry is published under `name`, if any. */
  ownerOf(name: string): string | undefined {
    return this.published.get(name)?.key;
  }

  /** The names currently published, for diagnostics and tests. */
  names(): string[] {
    return [...this.published.keys()].sort();
  }

  private publish(names: Iterable<string>): ServiceEvent[] {
    const events: ServiceEvent[] = [];
    for (const name of names) {
      const keys = this.keysByName.get(name);
      const ownerKey = keys && keys.size > 0 ? [...keys].sort()[0] : undefined;
      const owner = ownerKey === undefined ? undefined : this.byKey.get(ownerKey);
      const current = this.published.get(name);
      if (ownerKey === undefined || owner === undefined) {
        if (current) {
          this.published.delete(name);
          events.push({ type: 'removed', name, source: this.source });
        }
        continue;
      }
      this.published.set(name, { key: ownerKey, descriptor: owner });
      if (!current) events.push({ type: 'added', service: owner });
      else if (!sameDescriptor(current.descriptor, owner)) events.push({ type: 'updated', service: owner });
    }
    return events;
  }

  private index(key: string, name: string): void {
    let keys = this.keysByName.get(name);
    if (!keys) this.keysByName.set(name, (keys = new Set()));
    keys.add(key);
  }

  private unindex(key: string, name: string): void {
    const keys = this.keysByName.get(name);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByName.delete(name);
    this.byKey.delete(key);
  }
}
