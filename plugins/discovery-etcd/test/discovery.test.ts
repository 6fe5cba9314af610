// The discoverer and registerService against a real etcd: discovery, deregistration, lease expiry,
// two routers, bad values, duplicate names, re-grant after a lost lease.
import { silentLogger, SwitchboardError, type ServiceEvent } from '@switchboard/core';
import type { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { measurePutToDiscovered } from '../src/bench.js';
import { createEtcdClient } from '../src/client.js';
import { EtcdDiscoverer } from '../src/discoverer.js';
import { etcdOptionsSchema } from '../src/options.js';
import { registerService, type Registration } from '../src/register.js';
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
  // Reverse order: registrations and discoverers go before the data they read.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  writer?.close();
  await etcd?.close();
});

async function discover(prefix: string, id = 'etcd#0'): Promise<{ discoverer: EtcdDiscoverer; sink: RecordingSink }> {
  const discoverer = new EtcdDiscoverer(id, etcdOptionsSchema.parse({ endpoints: [etcd.endpoint], prefix }), silentLogger);
  const sink = new RecordingSink();
  cleanups.push(() => discoverer.stop());
  await discoverer.start(sink);
  return { discoverer, sink };
}

async function register(prefix: string, name: string, extra: Record<string, unknown> = {}, ttlSeconds = 5): Promise<Registration> {
  const registration = await registerService({
    endpoints: [etcd.endpoint],
    prefix,
    entry: { name, url: `http://127.0.0.1:9100/${name}`, ...extra },
    ttlSeconds,
    logger: silentLogger,
  });
  cleanups.push(() => registration.stop());
  return registration;
}

async function put(key: string, value: unknown): Promise<void> {
  await writer.put(key).value(typeof value === 'string' ? value : JSON.stringify(value)).exec();
}

describe('discovery-etcd against a real etcd', () => {
  it('reports what is already there by the time start() resolves, naming a nameless entry after its key', async () => {
    const prefix = uniquePrefix('initial');
    await put(`${prefix}alpha`, { name: 'alpha', url: 'http://127.0.0.1:9001/mcp', capabilities: ['search'] });
    await put(`${prefix}beta`, { url: 'ws://127.0.0.1:9002/mcp' });
    const { sink } = await discover(prefix, 'etcd#initial');
    expect([...sink.services.keys()].sort()).toEqual(['alpha', 'beta']);
    expect(sink.services.get('alpha')).toMatchObject({ transport: 'http', capabilities: ['search'], source: 'etcd#initial' });
    expect(sink.services.get('beta')).toMatchObject({ transport: 'websocket', url: 'ws://127.0.0.1:9002/mcp' });
    expect(sink.warnings).toEqual([]);
  });

  it('discovers a registered server and removes it when the registration stops', async () => {
    const prefix = uniquePrefix('register');
    const { sink } = await discover(prefix);
    const registration = await register(prefix, 'search', { capabilities: ['web', 'news'], metadata: { zone: 'a' } });
    expect(registration.key).toBe(`${prefix}search`);
    await waitFor(() => sink.services.has('search'), 'search to be discovered');
    expect(sink.services.get('search')).toMatchObject({
      url: 'http://127.0.0.1:9100/search',
      capabilities: ['web', 'news'],
      metadata: { zone: 'a' },
    });
    await registration.stop();
    await waitFor(() => !sink.services.has('search'), 'search to be removed');
    expect(sink.removals('search')).toBe(1);
    expect((await writer.get(registration.key).string()) ?? null).toBeNull();
  });

  it('removes a server whose registering side died without revoking, when its lease expires', async () => {
    const prefix = uniquePrefix('expiry');
    const { sink } = await discover(prefix);
    // A lease whose keepalives stop without a revoke is what a kill -9 of the registrant leaves.
    const lease = writer.lease(2, { autoKeepAlive: false });
    await lease.put(`${prefix}crashy`).value(JSON.stringify({ name: 'crashy', url: 'http://127.0.0.1:9003/mcp' })).exec();
    lease.release();
    await waitFor(() => sink.services.has('crashy'), 'crashy to be discovered');
    await waitFor(() => sink.removals('crashy') === 1, 'crashy to be removed when its lease expires');
    expect(sink.services.has('crashy')).toBe(false);
  });

  it('lets two routers see the same put and the same delete', async () => {
    const prefix = uniquePrefix('two-routers');
    const a = await discover(prefix, 'etcd#a');
    const b = await discover(prefix, 'etcd#b');
    await put(`${prefix}shared`, { name: 'shared', url: 'http://127.0.0.1:9004/mcp' });
    await waitFor(() => a.sink.services.has('shared') && b.sink.services.has('shared'), 'both routers to see the put');
    expect(a.sink.services.get('shared')?.source).toBe('etcd#a');
    expect(b.sink.services.get('shared')?.source).toBe('etcd#b');
    await writer.delete().key(`${prefix}shared`).exec();
    await waitFor(() => a.sink.removals('shared') === 1 && b.sink.removals('shared') === 1, 'both routers to see the delete');
    expect(b.sink.events.at(-1)).toEqual({ type: 'removed', name: 'shared', source: 'etcd#b' });
  });

  it('skips a bad value with a warning naming the key and still finds the good one beside it', async () => {
    const prefix = uniquePrefix('bad');
    await put(`${prefix}broken`, '{not json');
    await put(`${prefix}nourl`, { name: 'nourl', transport: 'http' });
    await put(`${prefix}good`, { name: 'good', url: 'http://127.0.0.1:9005/mcp' });
    const { sink } = await discover(prefix);
    expect([...sink.services.keys()]).toEqual(['good']);
    expect(sink.warnings.map((w) => w.fields?.key).sort()).toEqual([`${prefix}broken`, `${prefix}nourl`]);
    expect(sink.warnings.find((w) => w.fields?.key === `${prefix}nourl`)?.message).toMatch(/needs `url`/);

    // Watched, not only read: a later bad put warns too, and a good one beside it still arrives.
    await put(`${prefix}array`, '[1,2]');
    await put(`${prefix}later`, { name: 'later', command: 'node', args: ['server.js'] });
    await waitFor(() => sink.services.has('later'), 'the later good entry');
    await waitFor(() => sink.warnings.some((w) => w.fields?.key === `${prefix}array`), 'a warning for the later bad value');
    expect(sink.services.get('later')).toMatchObject({ transport: 'stdio', command: 'node' });
    expect(sink.services.has('array')).toBe(false);
  });

  it('removes a service whose value becomes invalid, and adds it back once fixed', async () => {
    const prefix = uniquePrefix('invalidated');
    await put(`${prefix}flaky`, { name: 'flaky', url: 'http://127.0.0.1:9006/mcp' });
    const { sink } = await discover(prefix);
    expect(sink.services.has('flaky')).toBe(true);
    await put(`${prefix}flaky`, { name: 'flaky', url: 'not a url' });
    await waitFor(() => sink.removals('flaky') === 1, 'flaky to be removed once invalid');
    expect(sink.warnings.some((w) => w.fields?.key === `${prefix}flaky`)).toBe(true);
    await put(`${prefix}flaky`, { name: 'flaky', url: 'http://127.0.0.1:9007/mcp' });
    await waitFor(() => sink.services.get('flaky')?.url === 'http://127.0.0.1:9007/mcp', 'flaky to come back');
  });

  it('reports a changed value as updated, and an unchanged rewrite not at all', async () => {
    const prefix = uniquePrefix('update');
    const { sink } = await discover(prefix);
    await put(`${prefix}svc`, { name: 'svc', url: 'http://127.0.0.1:9008/mcp' });
    await waitFor(() => sink.services.has('svc'), 'svc to be added');
    await put(`${prefix}svc`, { name: 'svc', url: 'http://127.0.0.1:9008/mcp' });
    await put(`${prefix}svc`, { name: 'svc', url: 'http://127.0.0.1:9008/mcp', capabilities: ['x'] });
    await waitFor(() => sink.services.get('svc')?.capabilities.length === 1, 'svc to be updated');
    expect(sink.events.map((e) => e.type)).toEqual(['added', 'updated']);
  });

  it('publishes one service per name when two keys claim it, and hands over when the owner goes', async () => {
    const prefix = uniquePrefix('duplicate');
    await put(`${prefix}a`, { name: 'dup', url: 'http://127.0.0.1:9010/mcp' });
    await put(`${prefix}b`, { name: 'dup', url: 'http://127.0.0.1:9011/mcp' });
    const { discoverer, sink } = await discover(prefix);
    expect(sink.services.get('dup')?.url).toBe('http://127.0.0.1:9010/mcp');
    expect(sink.warnings.filter((w) => w.fields?.key === `${prefix}b` && w.fields?.owner === `${prefix}a`)).toHaveLength(1);
    await discoverer.refresh();
    expect(sink.warnings).toHaveLength(1);
    await writer.delete().key(`${prefix}a`).exec();
    await waitFor(() => sink.services.get('dup')?.url === 'http://127.0.0.1:9011/mcp', 'the second key to take over');
    expect(sink.removals('dup')).toBe(0);
  });

  it('refresh() re-reads and reconciles without emitting anything when nothing changed', async () => {
    const prefix = uniquePrefix('refresh');
    await put(`${prefix}one`, { name: 'one', url: 'http://127.0.0.1:9012/mcp' });
    await put(`${prefix}bad`, 'nope');
    const { discoverer, sink } = await discover(prefix);
    const before = { events: sink.events.length, warnings: sink.warnings.length };
    await discoverer.refresh();
    expect(sink.events.length).toBe(before.events);
    // The bad value was already reported; a refresh does not repeat the warning.
    expect(sink.warnings.length).toBe(before.warnings);
    // And the watch is live again after it.
    await put(`${prefix}two`, { name: 'two', url: 'http://127.0.0.1:9013/mcp' });
    await waitFor(() => sink.services.has('two'), 'a put after refresh');
  });

  it('emits nothing after stop() resolves', async () => {
    const prefix = uniquePrefix('stopped');
    const { discoverer, sink } = await discover(prefix);
    await discoverer.stop();
    const seen: ServiceEvent[] = [...sink.events];
    await put(`${prefix}late`, { name: 'late', url: 'http://127.0.0.1:9014/mcp' });
    // A second discoverer seeing the put proves it was delivered to watchers.
    const witness = await discover(prefix, 'etcd#witness');
    expect(witness.sink.services.has('late')).toBe(true);
    expect(sink.events).toEqual(seen);
  });

  it('registers again with a new lease when the lease is lost while the process lives', async () => {
    const prefix = uniquePrefix('regrant');
    const { sink } = await discover(prefix);
    const registration = await register(prefix, 'phoenix', {}, 3);
    const first = await writer.get(registration.key).exec();
    const leaseId = first.kvs[0]?.lease;
    expect(leaseId && leaseId !== '0').toBeTruthy();
    // Revoking from outside is what an expired lease looks like to the keepalive loop.
    await writer.leaseClient.leaseRevoke({ ID: leaseId as string });
    await waitFor(() => sink.removals('phoenix') === 1, 'the key to go with the revoked lease');
    await waitFor(() => sink.services.has('phoenix'), 'phoenix to be registered again', 15_000);
    const again = await writer.get(registration.key).exec();
    const current = again.kvs[0]?.lease;
    expect(current).toBeDefined();
    expect(current).not.toBe(leaseId);
  });

  it('rejects an invalid entry with CONFIG_INVALID and writes nothing', async () => {
    const prefix = uniquePrefix('invalid-register');
    const attempt = registerService({ endpoints: [etcd.endpoint], prefix, entry: { name: 'x', transport: 'http' }, logger: silentLogger });
    await expect(attempt).rejects.toSatisfy((error: unknown) => SwitchboardError.is(error) && error.code === 'CONFIG_INVALID' && error.plugin === 'discovery-etcd');
    expect(await writer.getAll().prefix(prefix).keys()).toEqual([]);
  });

  it('measures put-to-discovered latency and leaves no keys behind', async () => {
    const ms = await measurePutToDiscovered({ endpoints: [etcd.endpoint], samples: 3 });
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(0);
    expect(await writer.getAll().prefix('/switchboard/bench/').keys()).toEqual([]);
  });
});
