// etcd going away and coming back (kill -9, then a start on the same data dir and ports): the
// discoverer keeps its catalogue, reconnects, reconciles what changed meanwhile and watches again;
// a registration's lease survives; a discoverer started while etcd is down catches up later.
import { createLogger, silentLogger } from '@switchboard/core';
import type { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient } from '../src/client.js';
import { EtcdDiscoverer } from '../src/discoverer.js';
import { etcdOptionsSchema, type EtcdOptionsInput } from '../src/options.js';
import { registerService } from '../src/register.js';
import { startEtcd, type EtcdServer } from '@switchboard/testing/fixtures';
import { RecordingSink, uniquePrefix, waitFor } from './support.js';

let etcd: EtcdServer;
let writer: Etcd3;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  writer = createEtcdClient({ endpoints: [etcd.endpoint] });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  writer?.close();
  await etcd?.close();
});

function discoverer(prefix: string, extra: Partial<EtcdOptionsInput> = {}): { discoverer: EtcdDiscoverer; sink: RecordingSink } {
  const instance = new EtcdDiscoverer('etcd#0', etcdOptionsSchema.parse({ endpoints: [etcd.endpoint], prefix, ...extra }), silentLogger);
  cleanups.push(() => instance.stop());
  return { discoverer: instance, sink: new RecordingSink() };
}

async function put(key: string, value: unknown): Promise<void> {
  await writer.put(key).value(JSON.stringify(value)).exec();
}

describe('discovery-etcd when etcd restarts', () => {
  it('keeps the catalogue during the outage, then reconciles and watches from the new revision', async () => {
    const prefix = uniquePrefix('restart');
    await put(`${prefix}stays`, { name: 'stays', url: 'http://127.0.0.1:9201/mcp' });
    await put(`${prefix}goes`, { name: 'goes', url: 'http://127.0.0.1:9202/mcp' });
    await put(`${prefix}changes`, { name: 'changes', url: 'http://127.0.0.1:9203/mcp' });
    // No automatic retry within the test: refresh() below reconnects, so the changes made in between
    // can only be learnt by re-reading (the second test covers the automatic retry).
    const { discoverer: d, sink } = discoverer(prefix, { backoff: { initialMs: 60_000, maxMs: 60_000 } });
    const registration = await registerService({
      endpoints: [etcd.endpoint],
      prefix,
      entry: { name: 'leased', url: 'http://127.0.0.1:9204/mcp' },
      ttlSeconds: 3,
      logger: silentLogger,
    });
    cleanups.push(() => registration.stop());
    await d.start(sink);
    await waitFor(() => sink.services.size === 4, 'the four services');

    await etcd.kill();
    await waitFor(() => sink.warnings.some((w) => /unreachable/.test(w.message)), 'a warning that etcd is unreachable');
    expect(sink.services.size).toBe(4);
    expect(sink.events.some((e) => e.type === 'removed')).toBe(false);

    await etcd.start();
    const eventsBefore = sink.events.length;
    await writer.delete().key(`${prefix}goes`).exec();
    await put(`${prefix}changes`, { name: 'changes', url: 'http://127.0.0.1:9213/mcp' });
    await put(`${prefix}new`, { name: 'new', url: 'http://127.0.0.1:9205/mcp' });
    expect(sink.events.length).toBe(eventsBefore);

    await d.refresh();
    expect(sink.removals('goes')).toBe(1);
    expect(sink.services.has('new')).toBe(true);
    expect(sink.services.get('changes')?.url).toBe('http://127.0.0.1:9213/mcp');
    expect(sink.removals('stays')).toBe(0);

    // The watch is live again: a put made now arrives.
    await put(`${prefix}after`, { name: 'after', url: 'http://127.0.0.1:9206/mcp' });
    await waitFor(() => sink.services.has('after'), 'a put made after the reconnect');

    // The registration's lease outlived the restart: its key is still there after more than a TTL.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(sink.services.has('leased')).toBe(true);
    expect(sink.removals('leased')).toBe(0);
    expect(await writer.get(registration.key).string()).not.toBeNull();
  });

  it('starts while etcd is down, warns, and catches up once it is back', async () => {
    const prefix = uniquePrefix('late-etcd');
    await put(`${prefix}waiting`, { name: 'waiting', url: 'http://127.0.0.1:9301/mcp' });
    await etcd.kill();
    const { discoverer: d, sink } = discoverer(prefix, { backoff: { initialMs: 100, maxMs: 500 }, dialTimeoutMs: 2_000 });
    await d.start(sink);
    expect(sink.services.size).toBe(0);
    expect(sink.warnings.some((w) => /unreachable/.test(w.message))).toBe(true);
    await etcd.start();
    await waitFor(() => sink.services.has('waiting'), 'the entry once etcd is back');
    await put(`${prefix}more`, { name: 'more', url: 'http://127.0.0.1:9302/mcp' });
    await waitFor(() => sink.services.has('more'), 'a put watched after the late start');
  });

  it('registers again with a new lease after etcd was down for longer than the TTL', async () => {
    const prefix = uniquePrefix('regrant-restart');
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', format: 'text', write: (line) => lines.push(line) });
    const registration = await registerService({
      endpoints: [etcd.endpoint],
      prefix,
      entry: { name: 'reborn', url: 'http://127.0.0.1:9401/mcp' },
      ttlSeconds: 1,
      backoff: { initialMs: 100, maxMs: 500 },
      logger,
    });
    cleanups.push(() => registration.stop());
    const before = (await writer.get(registration.key).exec()).kvs[0]?.lease;
    expect(before).toBeDefined();

    await etcd.kill();
    await waitFor(() => lines.some((line) => line.includes('lease lost')), 'the registration to give its lease up');
    await etcd.start();
    await waitFor(() => lines.some((line) => line.includes('registered again')), 'a new lease and a new put');
    const after = (await writer.get(registration.key).exec()).kvs[0];
    expect(after?.lease).toBeDefined();
    expect(after?.lease).not.toBe(before);
    expect(JSON.parse(after?.value.toString() ?? '{}')).toMatchObject({ name: 'reborn', url: 'http://127.0.0.1:9401/mcp' });

    const { discoverer: d, sink } = discoverer(prefix);
    await d.start(sink);
    expect(sink.services.has('reborn')).toBe(true);
  });
});
