// The discoverer's record cache (RFC 6762 §5.2, §10): every PTR/SRV/TXT/A/AAAA record it relies on,
// with its TTL. Records are re-queried at 80/85/90/95% of their lifetime (plus 0-2% jitter) and
// dropped on a goodbye (TTL 0) or on expiry. Pure: time comes in as an argument, so the rules are
// tested without sockets or clocks.
import { instanceLabel, nameKey } from './names.js';
import type { AddressType, CacheRecord, Question } from './records.js';
import type { ResolvedInstance } from './server-entry.js';
import { decodeTxt, type TxtValue } from './txt.js';

const REFRESH_FRACTIONS = [0.8, 0.85, 0.9, 0.95] as const;
const REFRESH_JITTER = 0.02;
/** Do not repeat a question for a missing record more often than this. */
const MISSING_QUERY_GAP_MS = 1000;
/** RFC 6762 §10.2: a cache-flush record only flushes records older than one second. */
const FLUSH_GRACE_MS = 1000;
/**
 * Addresses kept per host. A host has a handful (IPv4, IPv6, link-local); a peer that announces a
 * new one per packet pushes out its oldest instead of growing the map.
 */
export const MAX_ADDRESSES_PER_HOST = 16;

export class Timed<T> {
  readonly expiresAt: number;
  private step = 0;

  constructor(
    readonly value: T,
    readonly ttlMs: number,
    readonly receivedAt: number,
    private readonly jitter: number,
  ) {
    this.expiresAt = receivedAt + ttlMs;
  }

  /** When the next re-query is due, or undefined once all four have been sent. */
  get refreshAt(): number | undefined {
    const fraction = REFRESH_FRACTIONS[this.step];
    return fraction === undefined ? undefined : this.receivedAt + this.ttlMs * (fraction + this.jitter);
  }

  get nextDeadline(): number {
    return this.refreshAt ?? this.expiresAt;
  }

  /** True (once per due step) when a re-query should go out now. */
  takeRefresh(now: number): boolean {
    let due = false;
    for (let at = this.refreshAt; at !== undefined && now >= at; at = this.refreshAt) {
      this.step += 1;
      due = true;
    }
    return due;
  }

  remainingMs(now: number): number {
    return this.expiresAt - now;
  }
}

interface InstanceState {
  readonly fqdn: string;
  readonly label: string;
  ptr?: Timed<true>;
  srv?: Timed<{ readonly target: string; readonly port: number }>;
  txt?: Timed<ReadonlyMap<string, TxtValue>>;
  /** When the current SRV target was first seen: addresses get a short grace period after it. */
  srvSince?: number;
  addressWaitOver: boolean;
}

interface HostState {
  readonly name: string;
  readonly addresses: Map<string, Timed<AddressType>>;
}

export interface CacheOptions {
  /** How long a resolved instance waits for its host's address before it is reported with the host name. */
  readonly addressWaitMs: number;
  /**
   * Instances held at most. Any peer on the link can announce names, so without a bound one that
   * announces a new instance per packet grows the cache (and every pass over it) without end.
   * Records for new instances past the bound are ignored and counted (takeRefused).
   */
  readonly maxInstances?: number;
  /** Uniform in [0, 1); injected so tests can fix the refresh jitter. */
  readonly random?: () => number;
}

/** A PTR the querier already holds, with its remaining TTL in seconds. */
export interface KnownAnswer {
  readonly name: string;
  readonly ttl: number;
  readonly data: string;
}

export interface TickResult {
  /** Something expired or an address wait ended: the view may have changed. */
  readonly changed: boolean;
  /** Re-queries now due. */
  readonly questions: Question[];
}

export class MdnsCache {
  private readonly instances = new Map<string, InstanceState>();
  private readonly hosts = new Map<string, HostState>();
  /** When each missing-record question last went out, so every packet does not repeat it. */
  private readonly askedAt = new Map<string, number>();
  /** SRV targets (name keys) and how many instances point at each: an address is kept only for these. */
  private readonly targetRefs = new Map<string, number>();
  private readonly random: () => number;
  private readonly maxInstances: number;
  /** Records for new instances ignored since the last takeRefused(), because the cache was full. */
  private refused = 0;

  constructor(
    private readonly serviceType: string,
    private readonly options: CacheOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.maxInstances = options.maxInstances ?? Infinity;
  }

  /** How many instances are held. */
  get size(): number {
    return this.instances.size;
  }

  /** Records for new instances ignored because the cache held maxInstances, since the last call. */
  takeRefused(): number {
    const refused = this.refused;
    this.refused = 0;
    return refused;
  }

  /** Apply one packet's records. Returns true when any of them concerned this service type. */
  apply(records: readonly CacheRecord[], now: number): boolean {
    let relevant = false;
    // Addresses last: they are kept only for hosts some SRV points at, and the SRV may be in the same packet.
    for (const record of records) if (!isAddress(record)) relevant = this.applyServiceRecord(record, now) || relevant;
    for (const record of records) if (isAddress(record)) relevant = this.applyAddress(record, now) || relevant;
    return relevant;
  }

  tick(now: number): TickResult {
    let changed = false;
    const questions: Question[] = [];
    for (const [key, inst] of this.instances) {
      if (inst.ptr && inst.ptr.expiresAt <= now) {
        inst.ptr = undefined;
        changed = true;
      }
      if (inst.srv && inst.srv.expiresAt <= now) {
        this.setSrv(inst, undefined);
        changed = true;
      }
      if (inst.txt && inst.txt.expiresAt <= now) {
        inst.txt = undefined;
        changed = true;
      }
      if (!inst.ptr && !inst.srv && !inst.txt) {
        this.instances.delete(key);
        continue;
      }
      if (!inst.addressWaitOver && inst.srvSince !== undefined && now >= inst.srvSince + this.options.addressWaitMs) {
        // Only an instance still without an address becomes ready (by host name) now.
        if (this.awaitsAddress(inst)) changed = true;
        inst.addressWaitOver = true;
      }
      if (inst.ptr?.takeRefresh(now)) questions.push({ name: this.serviceType, type: 'PTR' });
      if (inst.srv?.takeRefresh(now)) questions.push({ name: inst.fqdn, type: 'SRV' });
      if (inst.txt?.takeRefresh(now)) questions.push({ name: inst.fqdn, type: 'TXT' });
    }
    for (const [key, host] of this.hosts) {
      if (!this.targetRefs.has(key)) {
        this.hosts.delete(key);
        continue;
      }
      for (const [address, timed] of host.addresses) {
        if (timed.expiresAt <= now) {
          host.addresses.delete(address);
          changed = true;
        } else if (timed.takeRefresh(now)) {
          questions.push({ name: host.name, type: timed.value });
        }
      }
    }
    return { changed, questions: dedupe(questions) };
  }

  /** The earliest time tick() has something to do, or undefined when the cache is empty. */
  nextDeadline(): number | undefined {
    let next = Infinity;
    for (const inst of this.instances.values()) {
      for (const timed of [inst.ptr, inst.srv, inst.txt]) if (timed) next = Math.min(next, timed.nextDeadline);
      if (this.awaitsAddress(inst) && inst.srvSince !== undefined) next = Math.min(next, inst.srvSince + this.options.addressWaitMs);
    }
    for (const host of this.hosts.values()) for (const timed of host.addresses.values()) next = Math.min(next, timed.nextDeadline);
    return next === Infinity ? undefined : next;
  }

  /** PTR records to list in a browse query (RFC 6762 §7.1: only those with over half their TTL left). */
  knownAnswers(now: number): KnownAnswer[] {
    const out: KnownAnswer[] = [];
    for (const inst of this.instances.values()) {
      const ptr = inst.ptr;
      if (ptr && ptr.remainingMs(now) > ptr.ttlMs / 2) {
        out.push({ name: this.serviceType, ttl: Math.floor(ptr.remainingMs(now) / 1000), data: inst.fqdn });
      }
    }
    return out;
  }

  /** Questions for records browsed instances still lack (SRV, TXT, the target's address). */
  missingQuestions(now: number, force = false): Question[] {
    const wanted: Question[] = [];
    for (const inst of this.instances.values()) {
      if (!inst.ptr) continue;
      if (!inst.srv) wanted.push({ name: inst.fqdn, type: 'SRV' });
      if (!inst.txt) wanted.push({ name: inst.fqdn, type: 'TXT' });
      if (inst.srv && this.addressesOf(inst.srv.value.target).length === 0) {
        wanted.push({ name: inst.srv.value.target, type: 'A' }, { name: inst.srv.value.target, type: 'AAAA' });
      }
    }
    for (const [key, at] of this.askedAt) if (now - at >= MISSING_QUERY_GAP_MS) this.askedAt.delete(key);
    return dedupe(wanted).filter((q) => {
      const key = questionKey(q);
      if (!force && this.askedAt.has(key)) return false;
      this.askedAt.set(key, now);
      return true;
    });
  }

  /** Instances with PTR, SRV and TXT, whose address is known or has had its chance to arrive. */
  ready(now: number): ResolvedInstance[] {
    const out: ResolvedInstance[] = [];
    for (const inst of this.instances.values()) {
      if (!inst.ptr || !inst.srv || !inst.txt) continue;
      const addresses = this.addressesOf(inst.srv.value.target);
      if (addresses.length === 0 && inst.srvSince !== undefined && now < inst.srvSince + this.options.addressWaitMs) continue;
      out.push({
        fqdn: inst.fqdn,
        label: inst.label,
        host: inst.srv.value.target.replace(/\.$/, ''),
        port: inst.srv.value.port,
        txt: inst.txt.value,
        addresses,
      });
    }
    return out;
  }

  clear(): void {
    this.instances.clear();
    this.hosts.clear();
    this.askedAt.clear();
    this.targetRefs.clear();
    this.refused = 0;
  }

  private applyServiceRecord(record: ServiceRecord, now: number): boolean {
    if (record.type === 'PTR') {
      if (nameKey(record.name) !== nameKey(this.serviceType)) return false;
      const label = instanceLabel(record.data, this.serviceType);
      if (label === undefined) return false;
      const inst = this.instance(record.data, label, record.ttl > 0);
      if (!inst) return true;
      inst.ptr = record.ttl > 0 ? this.timed(true as const, record.ttl, now) : undefined;
      this.dropIfEmpty(inst);
      return true;
    }
    const label = instanceLabel(record.name, this.serviceType);
    if (label === undefined) return false;
    const inst = this.instance(record.name, label, record.ttl > 0);
    if (!inst) return true;
    if (record.type === 'SRV') {
      if (record.ttl === 0) {
        this.setSrv(inst, undefined);
      } else {
        const targetChanged = !inst.srv || nameKey(inst.srv.value.target) !== nameKey(record.data.target);
        this.setSrv(inst, this.timed({ target: record.data.target, port: record.data.port }, record.ttl, now));
        if (targetChanged) {
          inst.srvSince = now;
          inst.addressWaitOver = this.options.addressWaitMs <= 0;
        }
      }
    } else {
      inst.txt = record.ttl > 0 ? this.timed(decodeTxt(record.data), record.ttl, now) : undefined;
    }
    this.dropIfEmpty(inst);
    return true;
  }

  private applyAddress(record: AddressRecord, now: number): boolean {
    const key = nameKey(record.name);
    if (!this.targetRefs.has(key)) return false;
    let host = this.hosts.get(key);
    if (!host) {
      if (record.ttl === 0) return true;
      host = { name: record.name.replace(/\.$/, ''), addresses: new Map() };
      this.hosts.set(key, host);
    }
    if (record.ttl === 0) {
      host.addresses.delete(record.data);
      return true;
    }
    if (record.flush) {
      for (const [address, timed] of host.addresses) {
        if (timed.value === record.type && address !== record.data && now - timed.receivedAt > FLUSH_GRACE_MS) host.addresses.delete(address);
      }
    }
    if (!host.addresses.has(record.data) && host.addresses.size >= MAX_ADDRESSES_PER_HOST) {
      // Maps keep insertion order: the first key is the address learned longest ago.
      const oldest = host.addresses.keys().next().value;
      if (oldest !== undefined) host.addresses.delete(oldest);
    }
    host.addresses.set(record.data, this.timed(record.type, record.ttl, now));
    return true;
  }

  /** The instance's state, created unless this record is a goodbye for an instance we never knew. */
  private instance(fqdn: string, label: string, create: boolean): InstanceState | undefined {
    const key = nameKey(fqdn);
    let inst = this.instances.get(key);
    if (!inst && create) {
      if (this.instances.size >= this.maxInstances) {
        this.refused += 1;
        return undefined;
      }
      inst = { fqdn: fqdn.replace(/\.$/, ''), label, addressWaitOver: false };
      this.instances.set(key, inst);
    }
    return inst;
  }

  private dropIfEmpty(inst: InstanceState): void {
    if (!inst.ptr && !inst.srv && !inst.txt) this.instances.delete(nameKey(inst.fqdn));
  }

  /** Still inside the grace period for the SRV target's address, with no address yet. */
  private awaitsAddress(inst: InstanceState): boolean {
    return !inst.addressWaitOver && inst.srv !== undefined && this.addressesOf(inst.srv.value.target).length === 0;
  }

  private addressesOf(target: string): string[] {
    const host = this.hosts.get(nameKey(target));
    return host ? [...host.addresses.keys()] : [];
  }

  /** Every SRV change goes through here, so targetRefs always counts the instances pointing at each host. */
  private setSrv(inst: InstanceState, srv: InstanceState['srv']): void {
    if (inst.srv) {
      const key = nameKey(inst.srv.value.target);
      const refs = (this.targetRefs.get(key) ?? 1) - 1;
      if (refs > 0) this.targetRefs.set(key, refs);
      else this.targetRefs.delete(key);
    }
    inst.srv = srv;
    if (srv) {
      const key = nameKey(srv.value.target);
      this.targetRefs.set(key, (this.targetRefs.get(key) ?? 0) + 1);
    }
  }

  private timed<T>(value: T, ttlSeconds: number, now: number): Timed<T> {
    return new Timed(value, ttlSeconds * 1000, now, this.random() * REFRESH_JITTER);
  }
}

type AddressRecord = Extract<CacheRecord, { type: AddressType }>;
type ServiceRecord = Exclude<CacheRecord, AddressRecord>;

function isAddress(record: CacheRecord): record is AddressRecord {
  return record.type === 'A' || record.type === 'AAAA';
}

function questionKey(q: Question): string {
  return `${nameKey(q.name)}|${q.type}`;
}

function dedupe(questions: Question[]): Question[] {
  const seen = new Set<string>();
  return questions.filter((q) => {
    const key = questionKey(q);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
