// The names config may use without listing a package: each maps to a first-party package, imported
// by name at start-up. Core never imports these packages itself.
import type { PluginKind } from './plugin.js';

export const BUILTIN_PLUGIN_PACKAGES: Readonly<Record<PluginKind, Readonly<Record<string, string>>>> = {
  strategy: {
    'round-robin': '@switchboard/strategy-round-robin',
    'least-loaded': '@switchboard/strategy-least-loaded',
    random: '@switchboard/strategy-random',
    latency: '@switchboard/strategy-latency',
    'first-match': '@switchboard/strategy-first-match',
  },
  discovery: {
    static: '@switchboard/discovery-static',
    mdns: '@switchboard/discovery-mdns',
    etcd: '@switchboard/discovery-etcd',
    registry: '@switchboard/discovery-registry',
  },
  transport: {
    stdio: '@switchboard/transport-stdio',
    http: '@switchboard/transport-http',
    sse: '@switchboard/transport-http',
    websocket: '@switchboard/transport-ws',
  },
  health: {
    ping: '@switchboard/health-ping',
  },
};
