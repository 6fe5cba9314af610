// The plugin object and its options: what config sees and what register() binds.
import type { Discoverer } from '@switchboard/core';
import { createTestPluginContext } from '@switchboard/testing';
import { describe, expect, it } from 'vitest';
import etcdDiscoveryPluginDefault, { EtcdDiscoverer, etcdDiscoveryPlugin, etcdOptionsSchema } from '../src/index.js';

describe('discovery-etcd plugin', () => {
  it('is a discovery plugin of type etcd whose register() provides an EtcdDiscoverer with the instance id', async () => {
    const plugin = etcdDiscoveryPluginDefault();
    expect(etcdDiscoveryPluginDefault).toBe(etcdDiscoveryPlugin);
    expect(plugin).toMatchObject({ name: 'discovery-etcd', kind: 'discovery', type: 'etcd', core: '^0.1.0' });
    const options = plugin.optionsSchema.parse({});
    const context = createTestPluginContext({ kind: 'discovery', instanceId: 'etcd#3', options });
    await plugin.register(context, options);
    const provided: Discoverer[] = context.provided;
    expect(provided).toHaveLength(1);
    expect(provided[0]).toBeInstanceOf(EtcdDiscoverer);
    expect(provided[0]?.id).toBe('etcd#3');
  });

  it('defaults to the local etcd and the /switchboard/services/ prefix, and rejects unknown options', () => {
    expect(etcdOptionsSchema.parse({})).toEqual({
      endpoints: ['http://127.0.0.1:2379'],
      prefix: '/switchboard/services/',
      dialTimeoutMs: 5000,
      backoff: { initialMs: 200, maxMs: 5000 },
    });
    expect(etcdOptionsSchema.safeParse({ endpoint: 'http://127.0.0.1:2379' }).success).toBe(false);
    expect(etcdOptionsSchema.safeParse({ endpoints: [] }).success).toBe(false);
    expect(etcdOptionsSchema.safeParse({ auth: { username: 'u' } }).success).toBe(false);
  });
});
