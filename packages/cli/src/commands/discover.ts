// `switchboard discover --config F [--json]`: what the config's discoverers find, and each server's tools.
import { list } from '../format.js';
import type { CliIo } from '../io.js';
import { routerFromConfig } from '../router-from-config.js';

export async function runDiscover(io: CliIo, options: { config?: string; json?: boolean }): Promise<number> {
  const router = await routerFromConfig(options.config, 'discover');
  try {
    await router.initialize();
    const services = await router.discoverServices();
    const names = Object.keys(services);
    for (const p of router.discoveryProblems) io.err(`warning (${p.source}): ${p.message}`);
    // Nothing found and a source could not be read: that is a failure, not an empty result.
    const status = names.length === 0 && router.discoveryProblems.length > 0 ? 1 : 0;
    if (options.json) {
      io.out(JSON.stringify(services, null, 2));
      return status;
    }
    io.out(`Discovered ${names.length} service${names.length === 1 ? '' : 's'}`);
    for (const s of Object.values(services)) {
      io.out(`  ${s.healthy ? '✅' : '❌'} ${s.name} (${s.transport} ${s.url ?? s.command ?? ''}, from ${s.source})`);
      io.out(`     capabilities: ${list(s.capabilities)}`);
    }
    return status;
  } finally {
    await router.close();
  }
}
