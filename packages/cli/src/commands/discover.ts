// `switchboard discover --config F [--json] [--wait MS]`: what the config's discoverers find, and each server's tools.
import { list } from '../format.js';
import type { CliIo } from '../io.js';
import { wholeNumberArg } from '../number-arg.js';
import { routerFromConfig } from '../router-from-config.js';

export async function runDiscover(io: CliIo, options: { config?: string; json?: boolean; wait?: string }): Promise<number> {
  const waitMs = wholeNumberArg(options.wait, { flag: '--wait', command: 'discover', min: 0, max: 60_000, what: 'milliseconds' });
  // --wait sets how long each mDNS source collects answers.
  const router = await routerFromConfig(options.config, 'discover', (raw) => withMdnsWait(raw, waitMs));
  try {
    await router.initialize();
    const services = await router.discoverServices();
    const names = Object.keys(services);
    for (const p of router.discoveryProblems) io.err(`warning (${p.source}): ${p.message}`);
    // Say how long multicast sources listened, so an empty answer is read as what it is.
    for (const d of router.config.discovery) {
      if (d.type === 'mdns') io.err(`mdns: waited ${Number(d.initialWaitMs ?? 1_000)} ms for answers, asking twice (change with --wait MS)`);
    }
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

/** The raw config with every mDNS entry's collection window set to `waitMs` (unchanged when undefined). */
function withMdnsWait(raw: unknown, waitMs: number | undefined): unknown {
  if (waitMs === undefined || typeof raw !== 'object' || raw === null) return raw;
  const config = raw as { discovery?: unknown };
  if (!Array.isArray(config.discovery)) return raw;
  return { ...config, discovery: config.discovery.map((d: unknown) => ((d as { type?: unknown } | null)?.type === 'mdns' ? { ...(d as object), initialWaitMs: waitMs } : d)) };
}
