// `switchboard discover --config F [--json]`: what the config's discoverers find, and each server's tools.
import { list } from '../format.js';
import type { CliIo } from '../io.js';
import { routerFromConfig } from '../router-from-config.js';

export async function runDiscover(io: CliIo, options: { config?: string; json?: boolean }): Promise<number> {
  const router = await routerFromConfig(options.config, 'discover');
  try {
    await router.initialize();
    const services = await router.discoverServices();
    if (options.json) {
      io.out(JSON.stringify(services, null, 2));
      return 0;
    }
    const names = Object.keys(services);
    io.out(`Discovered ${names.length} service${names.length === 1 ? '' : 's'}`);
    for (const s of Object.values(services)) {
      io.out(`  ${s.healthy ? '✅' : '❌'} ${s.name} (${s.transport} ${s.url ?? s.command ?? ''}, from ${s.source})`);
      io.out(`     capabilities: ${list(s.capabilities)}`);
    }
    return 0;
  } finally {
    await router.close();
  }
}
