// The records one advertised instance owns (RFC 6763 §4-6): PTR from the service type to the
// instance, SRV to host:port, TXT with the MCP keys, A/AAAA for the host, and the
// `_services._dns-sd._udp` PTR that lets generic browsers list the service type.
import { isIPv6 } from 'node:net';
import type { ResponseOutgoingPacket } from 'multicast-dns';
import { SERVICES_META_QUERY } from './constants.js';

export type Answer = ResponseOutgoingPacket['answers'][number];
export type SrvAnswer = Extract<Answer, { type: 'SRV' }>;
export type TxtAnswer = Extract<Answer, { type: 'TXT' }>;

export interface RecordSetInput {
  readonly label: string;
  readonly serviceType: string;
  readonly host: string;
  readonly port: number;
  readonly txt: readonly Buffer[];
  readonly addresses: readonly string[];
  /** TTL for host-name records (SRV, A, AAAA). */
  readonly hostTtl: number;
  /** TTL for the other records (PTR, TXT). */
  readonly otherTtl: number;
}

export interface RecordSet {
  readonly serviceType: string;
  readonly fqdn: string;
  readonly host: string;
  readonly ptr: Answer;
  readonly srv: SrvAnswer;
  readonly txt: TxtAnswer;
  readonly addresses: readonly Answer[];
  readonly meta: Answer;
}

export function buildRecordSet(input: RecordSetInput): RecordSet {
  const serviceType = input.serviceType.replace(/\.$/, '');
  const fqdn = `${input.label}.${serviceType}`;
  // Unique records carry the cache-flush bit (RFC 6762 §10.2); PTRs are shared and do not.
  const srv: SrvAnswer = { name: fqdn, type: 'SRV', ttl: input.hostTtl, flush: true, data: { target: input.host, port: input.port, priority: 0, weight: 0 } };
  const txt: TxtAnswer = { name: fqdn, type: 'TXT', ttl: input.otherTtl, flush: true, data: [...input.txt] };
  return {
    serviceType,
    fqdn,
    host: input.host,
    ptr: { name: serviceType, type: 'PTR', ttl: input.otherTtl, data: fqdn },
    srv,
    txt,
    addresses: input.addresses.map((address) => ({
      name: input.host,
      type: isIPv6(address) ? ('AAAA' as const) : ('A' as const),
      ttl: input.hostTtl,
      flush: true,
      data: address,
    })),
    meta: { name: SERVICES_META_QUERY, type: 'PTR', ttl: input.otherTtl, data: serviceType },
  };
}

/** The records a goodbye withdraws: TTL 0 (RFC 6762 §10.1). Host addresses stay: other services may share them. */
export function goodbyeRecords(set: RecordSet): Answer[] {
  return [set.ptr, set.srv, set.txt].map((record) => ({ ...record, ttl: 0 }) as Answer);
}

/** Everything an announcement carries (RFC 6762 §8.3). */
export function announcementRecords(set: RecordSet): Answer[] {
  return [set.ptr, set.srv, set.txt, ...set.addresses];
}

export function sameSrv(a: { target: string; port: number }, b: { target: string; port: number }): boolean {
  return a.port === b.port && a.target.replace(/\.$/, '').toLowerCase() === b.target.replace(/\.$/, '').toLowerCase();
}

export function txtBytes(data: TxtAnswer['data']): string {
  const list = Array.isArray(data) ? data : [data];
  return list.map((d) => Buffer.from(d).toString('hex')).join('|');
}
