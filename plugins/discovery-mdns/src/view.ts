// The set of services the discoverer has reported, and the diff that turns a fresh set of resolved
// instances into added/updated/removed events. Core keeps one service per name; replicas of one
// logical server (several instances announcing the same TXT `name=`) must all stay routable, so the
// first instance (by full name, so the choice is stable) keeps the logical name and each other one
// is reported as `logical@instance`, with `metadata.logicalName` on all of them. Sharing tools, they
// are balanced by capability routing like any replicas.
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
  /**
   * The last description per instance and what it was made from. Updates run after every burst of
   * packets, over every resolved instance: validating each one's entry again would make every
   * packet cost as much as the whole link.
   */
  private readonly described = new Map<string, { readonly signature: string; readonly result: Described }>();

  constructor(private readonly source: string) {}

  /** Compute the events that bring the reported set in line with `instances`. */
  update(instances: readonly ResolvedInstance[]): { events: ServiceEvent[]; warnings: ViewWarning[] } {
    const warnings: ViewWarning[] = [];
    const next = new Map<string, ServiceDescriptor>();
    const seenInstances = new Set<string>();
    const ordered = [...instances].sort((a, b) => (a.fqdn < b.fqdn ? -1 : a.fqdn > b.fqdn ? 1 : 0));
    for (const instance of ordered) {
      seenInstances.add(instance.fqdn);
      const result = this.describe(instance);
      if (!result.ok) {
        const message = `skipping mDNS instance '${instance.fqdn}': bad ${result.field}: ${result.reason}`;
        this.warnOnce(instance.fqdn, message, { instance: instance.fqdn, field: result.field }, warnings);
        continue;
      }
      let { descriptor } = result;
      const logicalName = descriptor.name;
      if (next.has(descriptor.name)) {
        descriptor = Object.freeze({ ...descriptor, name: `${logicalName}@${instance.label}` });
        if (next.has(descriptor.name)) {
          this.warnOnce(instance.fqdn, `mDNS instance '${instance.fqdn}' duplicates the name '${descriptor.name}'; ignoring it`, { instance: instance.fqdn, field: 'name' }, warnings);
          continue;
        }
      }
      descriptor = Object.freeze({ ...descriptor, metadata: { ...descriptor.metadata, logicalName } });
      this.warned.delete(instance.fqdn);
      next.set(descriptor.name, descriptor);
    }
    for (const fqdn of this.warned.keys()) if (!seenInstances.has(fqdn)) this.warned.delete(fqdn);
    for (const fqdn of this.described.keys()) if (!seenInstances.has(fqdn)) this.described.delete(fqdn);

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

  /** The descriptor for an instance, or the field that makes it unusable; computed again only when its records change. */
  private describe(instance: ResolvedInstance): Described {
    const signature = signatureOf(instance);
    const known = this.described.get(instance.fqdn);
    if (known?.signature === signature) return known.result;
    const result = this.describeAnew(instance);
    this.described.set(instance.fqdn, { signature, result });
    return result;
  }

  private describeAnew(instance: ResolvedInstance): Described {
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

/** Everything toRawServerEntry reads, as one string: equal strings describe equal entries. */
function signatureOf(instance: ResolvedInstance): string {
  return JSON.stringify([instance.label, instance.host, instance.port, instance.addresses, [...instance.txt]]);
}
