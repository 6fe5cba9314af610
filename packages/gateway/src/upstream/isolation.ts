// Which stdio services get a process per client session, and the per-service cap on such processes.
// A service opts in with `metadata.isolation: "per-session"` on its server entry (so the choice
// travels with discovery), or the gateway's `isolation` option names it (which wins).
import { ProtocolError } from '../sdk/mcp.js';
import { SwitchboardError, type ServiceEntry } from '@switchboard/core';

export type Isolation = 'shared' | 'per-session';

/** JSON-RPC error code for "the per-service process cap is reached" (implementation-defined range). */
export const PROCESS_LIMIT_CODE = -32005;

export function isolationOf(entry: ServiceEntry, overrides: Readonly<Record<string, Isolation>> | undefined): Isolation {
  const chosen = overrides?.[entry.name] ?? entry.descriptor.metadata['isolation'];
  return chosen === 'per-session' && entry.descriptor.transport === 'stdio' ? 'per-session' : 'shared';
}

/** Counts live per-session processes per service across all client sessions. */
export class ProcessSlots {
  private readonly used = new Map<string, number>();

  constructor(readonly max: number) {}

  count(service: string): number {
    return this.used.get(service) ?? 0;
  }

  /** Take a slot or throw an error that reaches the client as is and trips no breaker. */
  acquire(service: string): () => void {
    const n = this.count(service);
    if (n >= this.max) {
      const message = `${service} already runs ${this.max} per-session processes (maxProcessesPerService); try again when a session ends`;
      // UPSTREAM_ERROR: the router neither counts it against the service nor fails over; the
      // session re-throws the ProtocolError cause to the client.
      throw new SwitchboardError('UPSTREAM_ERROR', message, {
        service,
        cause: new ProtocolError(PROCESS_LIMIT_CODE, message, { service, maxProcessesPerService: this.max }),
      });
    }
    this.used.set(service, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.count(service) - 1;
      if (left > 0) this.used.set(service, left);
      else this.used.delete(service);
    };
  }
}
