// Measures "time from announcement to discovered": a raw announcement is multicast and the clock
// stops when the discoverer emits `added` for it; and what a flood of announcements costs the
// process. Loopback by default, so it is safe to run anywhere.
import { monitorEventLoopDelay } from 'node:perf_hooks';
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

export interface FloodOptions {
  /** Distinct instances announced, one packet each (default 2000). */
  readonly instances?: number;
  /** The discoverer's bound (default: the option's default). */
  readonly maxInstances?: number;
  readonly mdnsPort?: number;
}

export interface FloodResult {
  readonly instances: number;
  readonly maxInstances: number;
  /** How long sending every packet took: the sender shares the discoverer's event loop. */
  readonly sendMs: number;
  /** Services the discoverer reported once the flood was over. */
  readonly services: number;
  readonly warnings: number;
  /** Event-loop delay while the flood was read (what every other request in the process waited). */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

/**
 * A peer on the link announcing a new instance per packet (PTR, SRV, TXT and A), five packets per
 * millisecond, while the discoverer runs in the same process; loopback only.
 */
export async function measureFlood(options: FloodOptions = {}): Promise<FloodResult> {
  const instances = options.instances ?? 2000;
  const mdnsPort = options.mdnsPort ?? 20_000 + Math.floor(Math.random() * 40_000);
  const serviceType = `_flood${process.pid % 10_000}._tcp.local`;
  const parsed = mdnsOptionsSchema.parse({ interface: '127.0.0.1', mdnsPort, serviceType, initialWaitMs: 100, ...(options.maxInstances ? { maxInstances: options.maxInstances } : {}) });
  const discoverer = new MdnsDiscoverer('mdns#flood', parsed, silentLogger);
  const services = new Set<string>();
  let warnings = 0;
  await discoverer.start({
    emit: (event: ServiceEvent) => {
      if (event.type === 'removed') services.delete(event.name);
      else services.add(event.service.name);
    },
    warn: () => void (warnings += 1),
  });
  const peer = await openMdnsSocket({ interface: '127.0.0.1', port: mdnsPort, logger: silentLogger });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  try {
    delay.enable();
    const started = performance.now();
    for (let i = 0; i < instances; i++) {
      const fqdn = `flood-${i}.${serviceType}`;
      await peer.respond({
        answers: [
          { name: serviceType, type: 'PTR', ttl: 4500, data: fqdn },
          { name: fqdn, type: 'SRV', ttl: 120, data: { target: 'flood.local', port: 1024 + (i % 60_000) } },
          { name: fqdn, type: 'TXT', ttl: 4500, data: ['txtvers=1', 'proto=http'] },
          { name: 'flood.local', type: 'A', ttl: 120, data: '127.0.0.1' },
        ],
      });
      if (i % 5 === 4) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const sendMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    delay.disable();
    return {
      instances,
      maxInstances: parsed.maxInstances,
      sendMs: Math.round(sendMs),
      services: services.size,
      warnings,
      loopDelayP99Ms: Math.round(delay.percentile(99) / 1e5) / 10,
      loopDelayMaxMs: Math.round(delay.max / 1e5) / 10,
    };
  } finally {
    await discoverer.stop();
    await peer.close();
  }
}
