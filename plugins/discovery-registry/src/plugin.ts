// The Switchboard plugin: `discovery: [{ type: registry, url: ... }]`.
import { definePlugin, Tokens, type Logger } from '@switchboard/core';
import { RegistryDiscoverer } from './discoverer.js';
import { registryOptionsSchema } from './options.js';
import { PLUGIN_NAME } from './plugin-name.js';

export function registryDiscoveryPlugin() {
  return definePlugin({
    name: PLUGIN_NAME,
    kind: 'discovery',
    type: 'registry',
    core: '^0.1.0',
    optionsSchema: registryOptionsSchema,
    register(ctx, options) {
      ctx.provideFactory((c) => new RegistryDiscoverer(c.resolve<string>(Tokens.InstanceId), c.resolve<typeof options>(Tokens.Options), c.resolve<Logger>(Tokens.Logger)));
    },
  });
}
