// The shared discoverer suite against a local registry on 127.0.0.1 that speaks the MCP Registry API
// (this package's fake-registry fixture, emptied first): announcing publishes a server version with
// one streamable-http remote and refreshes, as the router's discovery interval would.
import { silentLogger } from '@switchboard/core';
import { runDiscovererConformance, type DiscoveryTestEntry } from '@switchboard/testing';
import { RegistryDiscoverer, registryDiscoveryPlugin, registryOptionsSchema } from '../src/index.js';
import { startFakeRegistry } from './fake-registry.js';

runDiscovererConformance({
  name: 'registry',
  plugin: registryDiscoveryPlugin(),
  async create() {
    const registry = await startFakeRegistry();
    registry.items.splice(0);
    const discoverer = new RegistryDiscoverer('registry#0', registryOptionsSchema.parse({ url: registry.url }), silentLogger);
    let version = 0;
    return {
      discoverer,
      async announce(entry: DiscoveryTestEntry) {
        version += 1;
        registry.publish({ name: entry.name, version: `1.0.${version}`, remotes: [{ type: 'streamable-http', url: entry.url }] });
        await discoverer.refresh();
      },
      async withdraw(name: string) {
        registry.setStatus(name, 'deleted');
        await discoverer.refresh();
      },
      async announceInvalid() {
        registry.publish({ name: 'conf-bad', version: '1.0.0', remotes: [{ type: 'streamable-http' }] });
        await discoverer.refresh();
      },
      close: () => registry.close(),
    };
  },
});
