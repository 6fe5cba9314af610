// The shared discoverer suite against a real etcd (startEtcd) through the writer side of this
// package, registerService(): every announcement is a leased key, as a server in the fleet writes it.
import { silentLogger } from '@switchboard/core';
import { runDiscovererConformance, type DiscoveryTestEntry } from '@switchboard/testing';
import { startEtcd, type EtcdServer } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll } from 'vitest';
import etcdDiscoveryPlugin, { EtcdDiscoverer, etcdOptionsSchema, registerService, type Registration } from '../src/index.js';
import { createEtcdClient } from '../src/client.js';
import { uniquePrefix } from './support.js';

let etcd: EtcdServer;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.close();
});

runDiscovererConformance({
  name: 'etcd',
  plugin: etcdDiscoveryPlugin(),
  async create() {
    const prefix = uniquePrefix('conformance');
    const registrations = new Map<string, Registration>();
    const writer = createEtcdClient({ endpoints: [etcd.endpoint] });
    return {
      discoverer: new EtcdDiscoverer('etcd#0', etcdOptionsSchema.parse({ endpoints: [etcd.endpoint], prefix }), silentLogger),
      async announce(entry: DiscoveryTestEntry) {
        const previous = registrations.get(entry.name);
        const registration = await registerService({ endpoints: [etcd.endpoint], prefix, entry: { ...entry }, ttlSeconds: 30, logger: silentLogger });
        registrations.set(entry.name, registration);
        // The new lease now owns the key: revoking the old one leaves the key (and the update) in place.
        await previous?.stop();
      },
      async withdraw(name: string) {
        await registrations.get(name)?.stop();
        registrations.delete(name);
      },
      async announceInvalid() {
        await writer.put(`${prefix}conf-bad`).value('{"name": "conf-bad", "url": "not a url"}').exec();
      },
      async close() {
        await Promise.all([...registrations.values()].map((r) => r.stop()));
        await writer.delete().prefix(prefix).exec();
        writer.close();
      },
    };
  },
});
