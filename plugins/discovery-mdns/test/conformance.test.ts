// The shared discoverer suite over real multicast on 127.0.0.1, on a private random mDNS port and a
// service type per harness, so nothing on the host's real link is touched or heard.
import { silentLogger } from '@switchboard/core';
import { runDiscovererConformance, type DiscoveryTestEntry } from '@switchboard/testing';
import { beforeAll } from 'vitest';
import mdnsDiscoveryPlugin from '../src/index.js';
import { advertise, type Advertisement } from '../src/advertise.js';
import { openMdnsSocket } from '../src/socket.js';
import { discoverer, LOOPBACK, randomPort, requireLoopbackMulticast, uniqueServiceType } from './helpers.js';

const mdnsPort = randomPort();
beforeAll(() => requireLoopbackMulticast(mdnsPort));

runDiscovererConformance({
  name: 'mdns',
  plugin: mdnsDiscoveryPlugin(),
  // mDNS has no in-place edit: a changed record is a new announcement whose cache-flush bit replaces
  // the old one, which the discoverer must turn into `updated` (the suite checks it does).
  async create() {
    const serviceType = uniqueServiceType();
    const advertised = new Map<string, Advertisement>();
    const cleanups: (() => Promise<void>)[] = [];
    return {
      discoverer: discoverer(mdnsPort, { serviceType }),
      async announce(entry: DiscoveryTestEntry) {
        const url = new URL(entry.url);
        // Replace silently (no goodbye), as a restarted server re-announcing itself would.
        await advertised.get(entry.name)?.stop({ goodbye: false });
        const ad = await advertise({ name: entry.name, port: Number(url.port), path: url.pathname, proto: 'http', interface: LOOPBACK, serviceType, mdnsPort });
        advertised.set(entry.name, ad);
      },
      async withdraw(name: string) {
        await advertised.get(name)?.stop();
        advertised.delete(name);
      },
      async announceInvalid() {
        // A foreign responder with a TXT record version this discoverer does not speak.
        const socket = await openMdnsSocket({ interface: LOOPBACK, port: mdnsPort, logger: silentLogger });
        cleanups.push(() => socket.close());
        const fqdn = `conf-bad.${serviceType}`;
        await socket.respond({
          answers: [
            { name: serviceType, type: 'PTR', ttl: 4500, data: fqdn },
            { name: fqdn, type: 'SRV', ttl: 120, flush: true, data: { target: 'conf-bad.local', port: 4799, priority: 0, weight: 0 } },
            { name: fqdn, type: 'TXT', ttl: 4500, flush: true, data: ['txtvers=9'] },
          ],
          additionals: [{ name: 'conf-bad.local', type: 'A', ttl: 120, flush: true, data: '127.0.0.1' }],
        });
      },
      async close() {
        await Promise.all([...advertised.values()].map((ad) => ad.stop()));
        for (const cleanup of cleanups) await cleanup();
      },
    };
  },
});
