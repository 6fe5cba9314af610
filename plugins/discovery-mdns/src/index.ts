// @switchboard/discovery-mdns: find MCP servers on the local link with mDNS/DNS-SD (`_mcp._tcp.local`)
// and advertise them there.
import { definePlugin, Tokens, type Logger } from '@switchboard/core';
import { PLUGIN_NAME } from './constants.js';
import { MdnsDiscoverer } from './discoverer.js';
import { mdnsOptionsSchema } from './options.js';

export { advertise, type Advertisement, type AdvertiseContext, type StopOptions } from './advertise.js';
export { advertiseOptionsSchema, type AdvertiseOptions } from './advertise-options.js';
export { measureAnnounceToDiscovered, measureFlood, type FloodOptions, type FloodResult, type MeasureOptions } from './bench.js';
export { DEFAULT_SERVICE_TYPE, MDNS_PORT, PLUGIN_NAME } from './constants.js';
export { MdnsDiscoverer } from './discoverer.js';
export { mdnsOptionsSchema, type MdnsOptions, type MdnsOptionsInput } from './options.js';

export function mdnsDiscoveryPlugin() {
  return definePlugin({
    name: PLUGIN_NAME,
    kind: 'discovery',
    type: 'mdns',
    core: '^0.1.0',
    optionsSchema: mdnsOptionsSchema,
    register(ctx, options) {
      ctx.provideFactory((c) => new MdnsDiscoverer(c.resolve<string>(Tokens.InstanceId), c.resolve<typeof options>(Tokens.Options), c.resolve<Logger>(Tokens.Logger)));
    },
  });
}

export default mdnsDiscoveryPlugin;
