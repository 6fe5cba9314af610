// The router's transport plugins, which the gateway uses to open per-client-session upstream sessions.
import type { Router, Transport } from '@switchboard/core';

export function routerTransports(router: Router): ReadonlyMap<string, Transport> {
  return router.transports;
}
