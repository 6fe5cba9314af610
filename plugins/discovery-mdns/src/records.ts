// The record shapes the discoverer's cache works on, decoupled from dns-packet's wide union so the
// cache stays pure and easy to test, and the conversion from decoded packets into them.
import type { ResponsePacket } from 'multicast-dns';

export type AddressType = 'A' | 'AAAA';

export type CacheRecord =
  | { readonly type: 'PTR'; readonly name: string; readonly ttl: number; readonly data: string }
  | { readonly type: 'SRV'; readonly name: string; readonly ttl: number; readonly data: { readonly target: string; readonly port: number } }
  | { readonly type: 'TXT'; readonly name: string; readonly ttl: number; readonly data: readonly (string | Uint8Array)[] }
  | { readonly type: AddressType; readonly name: string; readonly ttl: number; readonly data: string; readonly flush: boolean };

export interface Question {
  readonly name: string;
  readonly type: 'PTR' | 'SRV' | 'TXT' | AddressType;
}

type Answer = ResponsePacket['answers'][number];

/** Every record of a response that DNS-SD resolution uses, answers first, then additionals. */
export function recordsOf(packet: Pick<ResponsePacket, 'answers' | 'additionals'>): CacheRecord[] {
  const out: CacheRecord[] = [];
  // Avahi and Bonjour put SRV/TXT/A in the additional section; they are as authoritative as answers.
  for (const answer of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) {
    const record = toCacheRecord(answer);
    if (record) out.push(record);
  }
  return out;
}

function toCacheRecord(answer: Answer): CacheRecord | undefined {
  const ttl = 'ttl' in answer && typeof answer.ttl === 'number' ? answer.ttl : 0;
  switch (answer.type) {
    case 'PTR':
      return typeof answer.data === 'string' ? { type: 'PTR', name: answer.name, ttl, data: answer.data } : undefined;
    case 'SRV':
      return { type: 'SRV', name: answer.name, ttl, data: { target: answer.data.target, port: answer.data.port } };
    case 'TXT': {
      const data = Array.isArray(answer.data) ? answer.data : [answer.data];
      return { type: 'TXT', name: answer.name, ttl, data };
    }
    case 'A':
    case 'AAAA':
      return typeof answer.data === 'string' ? { type: answer.type, name: answer.name, ttl, data: answer.data, flush: answer.flush === true } : undefined;
    default:
      return undefined;
  }
}
