// The shared discoverer suite over a real servers file (the `file` option): announcing rewrites the
// file and refreshes, as the router's discovery interval would.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@switchboard/core';
import { runDiscovererConformance, type DiscoveryTestEntry } from '@switchboard/testing';
import staticDiscoveryPlugin, { StaticDiscoverer, staticOptionsSchema } from '../src/index.js';

runDiscovererConformance({
  name: 'static (file)',
  plugin: staticDiscoveryPlugin(),
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-static-conformance-'));
    const file = join(dir, 'servers.json');
    const listed = new Map<string, Record<string, unknown>>();
    const write = () => writeFile(file, JSON.stringify({ mcpServers: Object.fromEntries(listed) }));
    await write();
    const discoverer = new StaticDiscoverer('static#0', staticOptionsSchema.parse({ file }), silentLogger);
    return {
      discoverer,
      async announce({ name, ...entry }: DiscoveryTestEntry) {
        listed.set(name, { ...entry });
        await write();
        await discoverer.refresh();
      },
      async withdraw(name: string) {
        listed.delete(name);
        await write();
        await discoverer.refresh();
      },
      async announceInvalid() {
        listed.set('conformance-bad', { url: 'not a url' });
        await write();
        await discoverer.refresh();
      },
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
