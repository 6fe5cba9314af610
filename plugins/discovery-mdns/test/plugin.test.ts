// The plugin object core loads, its options, and the bench helper.
import { silentLogger } from '@switchboard/core';
import { createTestPluginContext } from '@switchboard/testing';
import { describe, expect, it } from 'vitest';
import mdnsDiscoveryPlugin, { MdnsDiscoverer, measureAnnounceToDiscovered, mdnsOptionsSchema } from '../src/index.js';
import { LOOPBACK, randomPort, requireLoopbackMulticast } from './helpers.js';

describe('mdns plugin', () => {
  it('is a discovery plugin of type mdns that provides an MdnsDiscoverer under the instance id', async () => {
    const plugin = mdnsDiscoveryPlugin();
    expect(plugin).toMatchObject({ name: 'discovery-mdns', kind: 'discovery', type: 'mdns', core: '^0.1.0' });
    const options = mdnsOptionsSchema.parse({});
    const context = createTestPluginContext({ kind: 'discovery', instanceId: 'mdns#3', options });
    await plugin.register(context, options);
    const provided: unknown[] = context.provided;
    expect(provided).toHaveLength(1);
    expect(provided[0]).toBeInstanceOf(MdnsDiscoverer);
    expect((provided[0] as MdnsDiscoverer).id).toBe('mdns#3');
  });

  it('has defaults, and rejects unknown keys and bad values', () => {
    expect(mdnsOptionsSchema.parse({})).toEqual({ queryIntervalMs: 60_000, initialWaitMs: 1_000, serviceType: '_mcp._tcp.local', mdnsPort: 5353, maxInstances: 1024 });
    expect(mdnsOptionsSchema.safeParse({ iface: '127.0.0.1' }).success).toBe(false);
    expect(mdnsOptionsSchema.safeParse({ interface: 'lo' }).success).toBe(false);
    expect(mdnsOptionsSchema.safeParse({ queryIntervalMs: 10 }).success).toBe(false);
    expect(mdnsOptionsSchema.safeParse({ maxInstances: 0 }).success).toBe(false);
  });

  it('measures announcement-to-discovered time on loopback', async () => {
    const mdnsPort = randomPort();
    await requireLoopbackMulticast(mdnsPort);
    const ms = await measureAnnounceToDiscovered({ interface: LOOPBACK, mdnsPort, samples: 3 });
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(0);
  });
});
