// `switchboard health --config F [--json]`: one health-check round over every discovered service.
import { percent, seconds } from '../format.js';
import type { CliIo } from '../io.js';
import { routerFromConfig } from '../router-from-config.js';

export async function runHealth(io: CliIo, options: { config?: string; json?: boolean }): Promise<number> {
  const router = await routerFromConfig(options.config, 'health');
  try {
    await router.initialize();
    await router.checkHealth();
    const health = await router.getServiceHealth();
    if (options.json) io.out(JSON.stringify(health, null, 2));
    else {
      for (const [name, h] of Object.entries(health)) {
        io.out(`${name}: ${h.healthy ? '✅ Healthy' : '❌ Unhealthy'} (${h.transport}, breaker ${h.breakerState})`);
        if (h.totalRequests > 0) io.out(`  Success rate: ${percent(h.successRate)}  Avg latency: ${seconds(h.averageLatency)}`);
        if (h.lastError) io.out(`  Last error: ${h.lastError}`);
      }
      if (Object.keys(health).length === 0) io.out('No services discovered.');
    }
    return Object.values(health).every((h) => h.healthy) ? 0 : 1;
  } finally {
    await router.close();
  }
}
