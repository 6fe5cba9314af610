// Every first-party plugin, handed to the router as objects so the CLI works without resolving
// packages from the user's working directory.
import etcd from '@switchboard/discovery-etcd';
import mdns from '@switchboard/discovery-mdns';
import registry from '@switchboard/discovery-registry';
import staticDiscovery from '@switchboard/discovery-static';
import ping from '@switchboard/health-ping';
import firstMatch from '@switchboard/strategy-first-match';
import latency from '@switchboard/strategy-latency';
import leastLoaded from '@switchboard/strategy-least-loaded';
import random from '@switchboard/strategy-random';
import roundRobin from '@switchboard/strategy-round-robin';
import http from '@switchboard/transport-http';
import stdio from '@switchboard/transport-stdio';
import ws from '@switchboard/transport-ws';

export function builtinPlugins(): unknown[] {
  return [staticDiscovery(), mdns(), etcd(), registry(), stdio(), http(), ws(), roundRobin(), leastLoaded(), random(), latency(), firstMatch(), ping()];
}
