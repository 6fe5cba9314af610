// The `gateway:` section on a live config reload. Credentials, policy, rate limits and the audit
// sink apply at once (a leaked token is revoked, a tool withdrawn, by editing the file); every other
// key is wired into listeners and sessions at start-up, so a change to it is reported as needing a
// restart, never ignored in silence.
import { resolve } from 'node:path';
import { SwitchboardError } from '@switchboard/core';
import { gatewayConfigSchema, type AccessOptions, type Gateway, type GatewayConfig, type HttpGateway } from '@switchboard/gateway';

/** Keys a reload applies without a restart. */
const LIVE_KEYS = new Set<keyof GatewayConfig>(['auth', 'policy', 'rateLimits', 'audit']);

/** The gateway's access options from its config section (an audit file is relative to the config's folder). */
export function accessOptions(gw: GatewayConfig, configDir: string): AccessOptions {
  return {
    ...(gw.policy ? { policy: gw.policy } : {}),
    ...(gw.rateLimits ? { rateLimits: gw.rateLimits } : {}),
    ...(gw.audit ? { audit: { ...gw.audit, to: gw.audit.to === 'stderr' ? 'stderr' : resolve(configDir, gw.audit.to) } } : {}),
  };
}
import type { ReloadPart } from './config-watch.js';

export function parseGatewaySection(raw: unknown, file: string): GatewayConfig {
  const section = gatewayConfigSchema.safeParse(raw ?? {});
  if (!section.success) {
    const problems = section.error.issues.map((i) => `  - gateway.${i.path.join('.')}: ${i.message}`).join('\n');
    throw new SwitchboardError('CONFIG_INVALID', `invalid Switchboard config in ${file}:\n${problems}`);
  }
  return section.data;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Compares each reload's gateway section with the one in force; `http` is undefined under --stdio alone. */
export function gatewayReload(initial: GatewayConfig, http: HttpGateway | undefined, gateway?: Gateway, configDir = '.'): ReloadPart {
  let current = initial;
  return (raw) => {
    const gatewayRaw = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).gateway : undefined;
    const next = parseGatewaySection(gatewayRaw, 'the reloaded config');
    const needsRestart: string[] = [];
    for (const key of Object.keys({ ...current, ...next }) as Array<keyof GatewayConfig>) {
      if (!LIVE_KEYS.has(key) && !same(current[key], next[key])) needsRestart.push(`gateway.${key}`);
    }
    const authChanged = !same(current.auth, next.auth);
    const accessChanged = !same(accessOptions(current, configDir), accessOptions(next, configDir));
    return {
      needsRestart,
      apply() {
        const applied: string[] = [];
        if (authChanged && http) {
          http.setAuth(next.auth);
          applied.push('gateway.auth');
        }
        if (accessChanged && gateway) {
          gateway.setAccess(accessOptions(next, configDir));
          applied.push('gateway.policy/rateLimits/audit');
        }
        // Keys needing a restart stay as they were, so the next edit is compared with what runs.
        current = { ...current, auth: next.auth, policy: next.policy, rateLimits: next.rateLimits, audit: next.audit };
        return applied;
      },
    };
  };
}
