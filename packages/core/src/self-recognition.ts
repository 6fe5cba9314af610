// A gateway must never proxy to itself: an upstream URL that points back at the gateway (the init
// template's placeholder once did) would make every call loop until something times out. Each
// router has a random instance id; a gateway announces it as an experimental server capability,
// and a connector that finds its own id on the far side refuses the upstream.
import { randomUUID } from 'node:crypto';
import { SwitchboardError } from './errors.js';

/** The experimental capability under which a Switchboard gateway names its router instance. */
export const SELF_CAPABILITY = 'io.switchboard/instance';

export function newInstanceId(): string {
  return randomUUID();
}

/** The capability a gateway adds to its own server capabilities' `experimental`. */
export function selfCapability(instanceId: string): Record<string, { id: string }> {
  return { [SELF_CAPABILITY]: { id: instanceId } };
}

/**
 * Throws UPSTREAM_IS_SELF when the server's capabilities carry this instance's id.
 * `experimental` is the server's declared `capabilities.experimental`.
 */
export function refuseSelf(service: string, endpoint: string, experimental: Record<string, unknown> | undefined, instanceId: string): void {
  const announced = experimental?.[SELF_CAPABILITY] as { id?: unknown } | undefined;
  if (announced?.id !== instanceId) return;
  throw new SwitchboardError(
    'UPSTREAM_IS_SELF',
    `service ${service} (${endpoint}) is this Switchboard gateway itself; proxying to it would loop. Point it at an MCP server (or remove it).`,
    { service },
  );
}
