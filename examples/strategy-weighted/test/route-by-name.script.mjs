// Run by load-by-name.test.ts in a plain `node` process (no vitest, no source condition), so the
// plugin is resolved and imported exactly as an installed package is: from its built dist.
// Prints one JSON line: which file the name resolved to and who answered each call.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRouter } from '@switchboard/core';
import staticDiscoveryPlugin from '@switchboard/discovery-static';
import { startHttpFixture } from '@switchboard/testing/fixtures';
import httpTransportPlugin from '@switchboard/transport-http';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const calls = Number(process.argv[2] ?? 40);
const resolved = createRequire(join(PACKAGE_DIR, 'noop.js')).resolve('@example/switchboard-strategy-weighted');

const [heavy, light] = await Promise.all([startHttpFixture({ name: 'heavy', tools: ['whoami'] }), startHttpFixture({ name: 'light', tools: ['whoami'] })]);
const router = createRouter(
  {
    plugins: ['@example/switchboard-strategy-weighted'],
    strategy: { type: 'weighted' },
    health: false,
    // The split is exact only when every call is served where the strategy chose. A hedge (on by
    // default for a read-only tool such as whoami) sends a slow call on a busy machine to the other server too.
    failover: { hedging: { enabled: false } },
    logLevel: 'error',
    discovery: [{ type: 'static', servers: [{ name: 'heavy', url: heavy.url, weight: 3 }, { name: 'light', url: light.url, weight: 1 }] }],
  },
  { plugins: [staticDiscoveryPlugin(), httpTransportPlugin()], resolveFrom: [PACKAGE_DIR] },
);
const answeredBy = {};
// Anything that moved a call off the strategy's pick (a failed attempt, a failover), for the
// test's failure message: the 3:1 split is exact only when every call was served where chosen.
const detours = [];
try {
  await router.initialize();
  // The split is about weights, so both servers must be candidates from the first call: on a loaded
  // machine initialize() may stop waiting for a server's first tools/list (it is bounded).
  for (const deadline = Date.now() + 15_000; !['heavy', 'light'].every((n) => router.registry.get(n)?.tools.has('whoami') && router.registry.get(n)?.status === 'healthy') && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (let i = 0; i < calls; i++) {
    const r = await router.routeRequest({ toolName: 'whoami', arguments: {} });
    const who = r.success ? r.result.content[0].text : `error: ${r.error}`;
    answeredBy[who] = (answeredBy[who] ?? 0) + 1;
    if (r.attempts?.length || r.hedged) detours.push({ call: i, servedBy: r.serviceUsed, hedged: r.hedged === true, attempts: r.attempts });
  }
} finally {
  await router.close();
  await Promise.all([heavy.close(), light.close()]);
}
process.stdout.write(`${JSON.stringify({ resolved, strategy: router.strategyName, answeredBy, detours })}\n`);
