// @switchboard/health-ping: a service is healthy when it answers MCP `ping`; the round trip is its
// latency, which also feeds the latency strategy's EWMA.
import { definePlugin, type HealthChecker, type HealthResult, type HealthTarget } from '@switchboard/core';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';

export const pingOptionsSchema = z.strictObject({});

export class PingHealthChecker implements HealthChecker {
  readonly name = 'ping';

  async check(target: HealthTarget, signal: AbortSignal): Promise<HealthResult> {
    const started = performance.now();
    try {
      await target.ping(signal);
    } catch (error) {
      return { healthy: false, latencyMs: performance.now() - started, detail: `ping failed: ${(error as Error).message}` };
    }
    return { healthy: true, latencyMs: performance.now() - started };
  }
}

export function pingHealthPlugin() {
  return definePlugin({
    name: 'health-ping',
    kind: 'health',
    type: 'ping',
    core: '^0.1.0',
    optionsSchema: pingOptionsSchema,
    register(ctx) {
      ctx.provide(new PingHealthChecker());
    },
  });
}

export default pingHealthPlugin;
