// Measures the registry's propagation delay: milliseconds from issuing a put to the discoverer
// emitting the service, against a real etcd. Used by `pnpm bench`; it writes only under its own
// random prefix and deletes it afterwards.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { silentLogger, type ServiceEvent } from '@switchboard/core';
import { createEtcdClient } from './client.js';
import { EtcdDiscoverer } from './discoverer.js';
import { etcdOptionsSchema } from './options.js';

export interface MeasurePutOptions {
  readonly endpoints: readonly string[];
  /** How many puts to time; the median is returned. Default 20. */
  readonly samples?: number;
  /** Give up on one sample after this long. Default 5 s. */
  readonly timeoutMs?: number;
}

/** Median milliseconds from a put to the discoverer's `added` event, over `samples` puts. */
export async function measurePutToDiscovered(options: MeasurePutOptions): Promise<number> {
  const samples = Math.max(1, options.samples ?? 20);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const prefix = `/switchboard/bench/${randomUUID()}/`;
  const writer = createEtcdClient({ endpoints: options.endpoints });
  const waiters = new Map<string, (at: number) => void>();
  const discoverer = new EtcdDiscoverer(
    'etcd#bench',
    etcdOptionsSchema.parse({ endpoints: [...options.endpoints], prefix }),
    silentLogger,
  );
  const onEvent = (event: ServiceEvent): void => {
    if (event.type === 'added') waiters.get(event.service.name)?.(performance.now());
  };
  try {
    await discoverer.start({ emit: onEvent, warn: () => undefined });
    const timings: number[] = [];
    for (let i = 0; i < samples; i++) {
      const name = `bench-${i}`;
      const seen = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} was not discovered within ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
        waiters.set(name, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
      const entry = JSON.stringify({ name, url: `http://127.0.0.1:${9000 + i}/mcp` });
      const before = performance.now();
      await writer.put(prefix + name).value(entry).exec();
      timings.push((await seen) - before);
      waiters.delete(name);
    }
    timings.sort((a, b) => a - b);
    return timings[Math.floor(timings.length / 2)] ?? Number.NaN;
  } finally {
    await discoverer.stop();
    await writer.delete().prefix(prefix).exec().catch(() => undefined);
    writer.close();
  }
}
