// @switchboard/discovery-etcd: the fleet's shared registry. Servers (or an agent beside them) write
// a leased key under a prefix with registerService(); every router's discoverer watches the prefix.
import { definePlugin, Tokens, type Logger } from '@switchboard/core';
import { EtcdDiscoverer } from './discoverer.js';
import { etcdOptionsSchema } from './options.js';
import { PLUGIN_NAME } from './plugin-name.js';

export { EtcdDiscoverer } from './discoverer.js';
export { registerService, DEFAULT_TTL_SECONDS, type RegisterServiceOptions, type Registration } from './register.js';
export { measurePutToDiscovered, type MeasurePutOptions } from './bench.js';
export { serviceKey } from './entry.js';
export { createEtcdDocumentStore, type EtcdDocumentStore, type EtcdDocumentStoreOptions } from './document-store.js';
export { createEtcdSessionStore, DEFAULT_SESSION_PREFIX, type EtcdSessionStore, type EtcdSessionStoreOptions } from './session-store.js';
export {
  etcdOptionsSchema,
  etcdAuthSchema,
  DEFAULT_ENDPOINTS,
  DEFAULT_PREFIX,
  type EtcdOptions,
  type EtcdOptionsInput,
  type EtcdAuth,
} from './options.js';
export { PLUGIN_NAME } from './plugin-name.js';

export function etcdDiscoveryPlugin() {
  return definePlugin({
    name: PLUGIN_NAME,
    kind: 'discovery',
    type: 'etcd',
    core: '^0.1.0',
    optionsSchema: etcdOptionsSchema,
    register(ctx, options) {
      ctx.provideFactory((c) => new EtcdDiscoverer(c.resolve<string>(Tokens.InstanceId), c.resolve<typeof options>(Tokens.Options), c.resolve<Logger>(Tokens.Logger)));
    },
  });
}

export default etcdDiscoveryPlugin;
