// Probing (RFC 6762 §8.1): before claiming an instance name, ask for it three times, 250 ms apart.
// If anyone answers with different records, the name is taken: try "name (2)", "name (3)", ...
// (the renaming RFC 6763 §4.1 and Bonjour/Avahi use).
import type { QueryOutgoingPacket, ResponsePacket } from 'multicast-dns';
import { mdnsError } from './errors.js';
import { instanceFqdn, nameKey } from './names.js';
import { sameSrv, txtBytes, type SrvAnswer, type TxtAnswer } from './record-set.js';
import type { MdnsSocket } from './socket.js';

const PROBE_COUNT = 3;
const PROBE_INTERVAL_MS = 250;
const MAX_CANDIDATES = 32;
/** dns-packet encodes 'ANY' (type 255), but @types/dns-packet leaves it out of RecordType. */
const ANY = 'ANY' as unknown as QueryOutgoingPacket['questions'][number]['type'];

export interface ProbeInput {
  readonly name: string;
  readonly serviceType: string;
  /** The records we would publish for a candidate label, so identical answers are not conflicts. */
  readonly recordsFor: (label: string) => { readonly srv: SrvAnswer; readonly txt: TxtAnswer };
}

function candidateLabel(name: string, attempt: number): string {
  return attempt === 1 ? name : `${name} (${attempt})`;
}

/** The first candidate label nobody answers for. */
export async function probeUniqueLabel(socket: MdnsSocket, input: ProbeInput): Promise<string> {
  for (let attempt = 1; attempt <= MAX_CANDIDATES; attempt++) {
    const label = candidateLabel(input.name, attempt);
    if (!(await isTaken(socket, label, input))) return label;
  }
  throw mdnsError('PLUGIN_ERROR', `could not find a free mDNS instance name for '${input.name}' after ${MAX_CANDIDATES} tries`);
}

async function isTaken(socket: MdnsSocket, label: string, input: ProbeInput): Promise<boolean> {
  const fqdn = instanceFqdn(label, input.serviceType);
  const ours = input.recordsFor(label);
  let taken = false;
  let wake: (() => void) | undefined;
  const onResponse = (packet: ResponsePacket): void => {
    if ([...(packet.answers ?? []), ...(packet.additionals ?? [])].some((record) => conflicts(record, fqdn, ours))) {
      taken = true;
      wake?.();
    }
  };
  socket.mdns.on('response', onResponse);
  try {
    // A random 0-250 ms start keeps hosts that power up together from probing in lockstep.
    await sleep(Math.random() * PROBE_INTERVAL_MS, (w) => (wake = w));
    for (let i = 0; i < PROBE_COUNT && !taken; i++) {
      // The proposed records go in the authority section, as §8.2 asks, for simultaneous probers.
      await socket.query({ questions: [{ name: fqdn, type: ANY, class: 'IN' }], authorities: [ours.srv, ours.txt] });
      if (!taken) await sleep(PROBE_INTERVAL_MS, (w) => (wake = w));
    }
    return taken;
  } finally {
    socket.mdns.off('response', onResponse);
  }
}

function conflicts(record: ResponsePacket['answers'][number], fqdn: string, ours: { srv: SrvAnswer; txt: TxtAnswer }): boolean {
  if (nameKey(record.name) !== nameKey(fqdn)) return false;
  // Someone repeating exactly our records (a cache, or ourselves) is no conflict.
  if (record.type === 'SRV') return !sameSrv(record.data, ours.srv.data);
  if (record.type === 'TXT') return txtBytes(record.data) !== txtBytes(ours.txt.data);
  return record.type !== 'PTR' && record.type !== 'NSEC';
}

/** Sleep that an early conflict can cut short; the timer is unref()ed so it never holds a process open. */
function sleep(ms: number, onWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    onWake(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
