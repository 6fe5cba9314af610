// What each upstream endpoint's protocol era turned out to be, so the `server/discover` probe runs
// once per endpoint rather than once per connect. The specification says to cache the result for
// the server process (stdio) or origin (HTTP), and allows keeping it across restarts of the same
// server configuration as long as a failed assumption re-probes: a connect that fails forgets it.
// Keyed by everything that makes an endpoint (and the credentials it was probed with: a modern
// server's advertisement may differ per principal).
import type { PriorDiscovery } from './sdk/mcp.js';
import type { ServiceDescriptor } from './descriptor.js';

export class EraVerdicts {
  private readonly verdicts = new Map<string, PriorDiscovery>();

  get(descriptor: ServiceDescriptor): PriorDiscovery | undefined {
    return this.verdicts.get(endpointKey(descriptor));
  }

  set(descriptor: ServiceDescriptor, verdict: PriorDiscovery): void {
    this.verdicts.set(endpointKey(descriptor), verdict);
  }

  forget(descriptor: ServiceDescriptor): void {
    this.verdicts.delete(endpointKey(descriptor));
  }
}

function endpointKey(d: ServiceDescriptor): string {
  return JSON.stringify([d.transport, d.url ?? null, d.command ?? null, d.args, d.cwd ?? null, d.env, d.headers, d.protocol ?? 'auto']);
}
