// The first-party plugins as objects, handed to createRouter so tests run them from source.
import staticDiscovery from '@switchboard/discovery-static';
import healthPing from '@switchboard/health-ping';
import firstMatch from '@switchboard/strategy-first-match';
import latency from '@switchboard/strategy-latency';
import leastLoaded from '@switchboard/strategy-least-loaded';
import random from '@switchboard/strategy-random';
import roundRobin from '@switchboard/strategy-round-robin';
import transportHttp from '@switchboard/transport-http';
import transportStdio from '@switchboard/transport-stdio';

export function corePlugins() {
  return [staticDiscovery(), healthPing(), firstMatch(), latency(), leastLoaded(), random(), roundRobin(), transportHttp(), transportStdio()];
}
