// Measures "time from announcement to discovered": a raw announcement is multicast and the clock
// stops when the discoverer emits `added` for it. Loopback by default, so it is safe to run anywhere.
import { silentLogger, type ServiceEvent } from '@switchboard/core';
import { MdnsDiscoverer } from './discoverer.js';
import { mdnsError } from './errors.js';
import { mdnsOptionsSchema } from './options.js';
import { announcementRecords, buildRecordSet, goodbyeRecords } from './record-set.js';
import { openMdnsSocket } from './socket.js';
import { encodeTxt } from './txt.js';

export interface MeasureOptions {
  /** Interface address to use (default '127.0.0.1': never leaves the machine). */
  readonly interface?: string;
  /** mDNS UDP port (default: a random high port, so a real responder on 5353 is not disturbed). */
  readonly mdnsPort?: number;
  /** How many announcements to time; the median is returned (default 5). */
  readonly samples?: number;
  /** Give up on one sample after this long (default 5000 ms). */
  readonly timeoutMs?: number;
}

/** Median milliseconds from sending an announcement to the discoverer's `added` event. */
export async function measureAnnounceToDiscovered(options: MeasureOptions = {}): Promise<number> {
  const iface = options.interface ?? '127.0.0.1';
  const mdnsPort = options.mdnsPort ?? 20_000 + Math.floor(Math.random() * 40_000);
  const samples = Math.max(1, options.samples ?? 5);
  const timeoutMs = options.timeoutMs ?? 5000;
  const serviceType = `_bench${process.pid % 10_000}._tcp.local`;

  const waiting = new Map<string, (at: number) => void>();
  const discoverer = new MdnsDiscoverer(
    'mdns#bench',
    mdnsOptionsSchema.parse({ interface: iface, mdnsPort, serviceType, initialWaitMs: 0 }),
    silentLogger,
  );
  const announcer = await openMdnsSocket({ interface: iface, port: mdnsPort, logger: silentLogger });
  try {
    await discoverer.start({
      emit: (event: ServiceEvent) => {
        if (event.type === 'added') waiting.get(event.service.name)?.(performance.now());
      },
      warn: () => undefined,
    });
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const records = buildRecordSet({
        label: `bench-${i}`,
        serviceType,
        host: 'bench.local',
        port: 40_000 + i,
        txt: encodeTxt([['txtvers', '1'], ['proto', 'http']]),
        addresses: [iface === '0.0.0.0' ? '127.0.0.1' : iface],
        hostTtl: 120,
        otherTtl: 120,
      });
      const discovered = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(mdnsError('TIMEOUT', `bench-${i} was not discovered within ${timeoutMs} ms`)), timeoutMs);
        waiting.set(`bench-${i}`, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
      const sentAt = performance.now();
      await announcer.respond({ answers: announcementRecords(records) });
      times.push((await discovered) - sentAt);
      await announcer.respond({ answers: goodbyeRecords(records) });
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? Number.NaN;
  } finally {
    await discoverer.stop();
    await announcer.close();
  }
}
