// The set of services the discoverer has reported, and the diff that turns a fresh set of resolved
// instances into added/updated/removed events. Core keeps one service per name, so when two
// instances claim the same logical name the first one seen is reported and the other is held back
// (with a warning) until the first goes away.
import { sameDescriptor, serverEntrySchema, toDescriptor, type ServiceDescriptor, type ServiceEvent } from '@switchboard/core';
import { toRawServerEntry, type ResolvedInstance } from './server-entry.js';

export interface ViewWarning {
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

type Described = { readonly ok: true; readonly descriptor: ServiceDescriptor } | { readonly ok: false; readonly field: string; readonly reason: string };

export class ServiceView {
  private readonly reported = new Map<string, ServiceDescriptor>();
  /** Last warning per instance, so a bad record is reported once rather than on every packet. */
  private readonly warned = new Map<string, string>();

  constructor(private readonly source: string) {}

  /** Compute the events that bring the reported set in line with `instances`. */
  update(instances: readonly ResolvedInstance[]): { events: ServiceEvent[]; warnings: ViewWarning[] } {
    const warnings: ViewWarning[] = [];
    const next = new Map<string, ServiceDescriptor>();
    const seenInstances = new Set<string>();
    for (const instance of instances) {
      seenInstances.add(instance.fqdn);
      const result = this.describe(instance);
      if (!result.ok) {
        const message = `skipping mDNS instance '${instance.fqdn}': bad ${result.field}: ${result.reason}`;
        this.warnOnce(instance.fqdn, message, { instance: instance.fqdn, field: result.field }, warnings);
        continue;
      }
      const { descriptor } = result;
      const existing = next.get(descriptor.name);
      if (existing) {
        const message = `mDNS instance '${instance.fqdn}' announces the name '${descriptor.name}' already used by '${String(existing.metadata.mdnsInstance)}'; ignoring it while that one is present`;
        this.warnOnce(instance.fqdn, message, { instance: instance.fqdn, field: 'name', name: descriptor.name }, warnings);
        continue;
      }
      this.warned.delete(instance.fqdn);
      next.set(descriptor.name, descriptor);
    }
    for (const fqdn of this.warned.keys()) if (!seenInstances.has(fqdn)) this.warned.delete(fqdn);

    const events: ServiceEvent[] = [];
    for (const [name, descriptor] of this.reported) {
      if (!next.has(name)) events.push({ type: 'removed', name: descriptor.name, source: this.source });
    }
    for (const [name, descriptor] of next) {
      const previous = this.reported.get(name);
      if (!previous) events.push({ type: 'added', service: descriptor });
      else if (!sameDescriptor(previous, descriptor)) events.push({ type: 'updated', service: descriptor });
    }
    this.reported.clear();
    for (const [name, descriptor] of next) this.reported.set(name, descriptor);
    return { events, warnings };
  }

  /** The descriptor for an instance, or the field that makes it unusable. */
  private describe(instance: ResolvedInstance): Described {
    const result = toRawServerEntry(instance);
    if (!result.ok) return result;
    const parsed = serverEntrySchema.safeParse(result.raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, field: issue?.path.join('.') || 'entry', reason: issue?.message ?? 'invalid server entry' };
    }
    return { ok: true, descriptor: toDescriptor(parsed.data, this.source) };
  }

  private warnOnce(fqdn: string, message: string, fields: Record<string, unknown>, out: ViewWarning[]): void {
    if (this.warned.get(fqdn) === message) return;
    this.warned.set(fqdn, message);
    out.push({ message, fields });
  }
}
