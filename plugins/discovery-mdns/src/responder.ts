// What an advertised instance answers to a query (RFC 6762 §6, RFC 6763 §12): the records asked for,
// plus the ones the asker will need next in the additional section, minus PTRs the asker already
// listed as known answers with at least half their TTL left (§7.1). Pure: no socket.
import type { QueryPacket } from 'multicast-dns';
import { SERVICES_META_QUERY } from './constants.js';
import { nameKey } from './names.js';
import type { Answer, RecordSet } from './record-set.js';

export interface Reply {
  readonly answers: Answer[];
  readonly additionals: Answer[];
}

export function replyTo(query: Pick<QueryPacket, 'questions' | 'answers'>, set: RecordSet): Reply | undefined {
  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  const wants = (type: string, qType: string): boolean => qType === type || qType === 'ANY';
  const hostKey = nameKey(set.host);

  for (const question of query.questions ?? []) {
    const name = nameKey(question.name);
    const qType = question.type;
    if (name === nameKey(set.serviceType) && wants('PTR', qType)) {
      if (!knownToAsker(query, set.ptr)) {
        answers.push(set.ptr);
        additionals.push(set.srv, set.txt, ...set.addresses);
      }
    } else if (name === nameKey(SERVICES_META_QUERY) && wants('PTR', qType)) {
      if (!knownToAsker(query, set.meta)) answers.push(set.meta);
    } else if (name === nameKey(set.fqdn)) {
      if (wants('SRV', qType)) {
        answers.push(set.srv);
        additionals.push(...set.addresses);
      }
      if (wants('TXT', qType)) answers.push(set.txt);
    } else if (name === hostKey) {
      answers.push(...set.addresses.filter((a) => wants(a.type, qType)));
    }
  }
  if (answers.length === 0) return undefined;
  const unique = dedupe(answers);
  return { answers: unique, additionals: dedupe(additionals).filter((a) => !unique.includes(a)) };
}

function knownToAsker(query: Pick<QueryPacket, 'answers'>, record: Answer): boolean {
  return (query.answers ?? []).some(
    (known) =>
      known.type === 'PTR' &&
      record.type === 'PTR' &&
      nameKey(known.name) === nameKey(record.name) &&
      typeof known.data === 'string' &&
      nameKey(known.data) === nameKey(String(record.data)) &&
      (known.ttl ?? 0) >= (record.ttl ?? 0) / 2,
  );
}

function dedupe(records: Answer[]): Answer[] {
  return [...new Set(records)];
}
