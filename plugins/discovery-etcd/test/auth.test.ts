// etcd with authentication on (its own etcd, since auth is cluster-wide): the right credentials
// discover and register; wrong ones fail start() at once with DISCOVERY_ERROR instead of retrying.
import { silentLogger, SwitchboardError } from '@switchboard/core';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient } from '../src/client.js';
import { EtcdDiscoverer } from '../src/discoverer.js';
import { etcdOptionsSchema } from '../src/options.js';
import { registerService } from '../src/register.js';
import { startEtcd, type EtcdServer } from '@switchboard/testing/fixtures';
import { RecordingSink, waitFor } from './support.js';

const ROOT = { username: 'root', password: 'root-secret' };
let etcd: EtcdServer;

beforeAll(async () => {
  etcd = await startEtcd();
  const admin: Etcd3 = createEtcdClient({ endpoints: [etcd.endpoint] });
  try {
    await admin.role('root').create();
    await admin.user(ROOT.username).create(ROOT.password);
    await admin.user(ROOT.username).addRole('root');
    await admin.auth.authEnable({});
  } finally {
    admin.close();
  }
});

afterAll(async () => {
  await etcd?.close();
});

describe('discovery-etcd with etcd authentication', () => {
  it('discovers and registers with the right credentials', async () => {
    const prefix = '/switchboard/services/';
    const discoverer = new EtcdDiscoverer('etcd#auth', etcdOptionsSchema.parse({ endpoints: [etcd.endpoint], prefix, auth: ROOT }), silentLogger);
    const sink = new RecordingSink();
    await discoverer.start(sink);
    const registration = await registerService({
      endpoints: [etcd.endpoint],
      auth: ROOT,
      entry: { name: 'secured', url: 'http://127.0.0.1:9501/mcp' },
      logger: silentLogger,
    });
    try {
      await waitFor(() => sink.services.has('secured'), 'the registered server');
    } finally {
      await registration.stop();
      await discoverer.stop();
    }
  });

  it('fails start() with DISCOVERY_ERROR on wrong credentials, naming the plugin', async () => {
    const discoverer = new EtcdDiscoverer(
      'etcd#wrong',
      etcdOptionsSchema.parse({ endpoints: [etcd.endpoint], auth: { username: 'root', password: 'wrong' } }),
      silentLogger,
    );
    const error: unknown = await discoverer.start(new RecordingSink()).then(
      () => undefined,
      (e: unknown) => e,
    );
    await discoverer.stop();
    expect(SwitchboardError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'DISCOVERY_ERROR', plugin: 'discovery-etcd' });
    expect((error as Error).message).toMatch(/auth/);
  });
});
