// Renders the gateway dashboard with a few fixture services and some traffic, and saves a PNG for
// the README:  pnpm build && node scripts/dashboard-screenshot.mjs [out.png]
// Needs Debian's chromium at /usr/bin/chromium (playwright-core never downloads a browser).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createRouter } from '@switchboard/core';
import staticDiscovery from '@switchboard/discovery-static';
import { createGateway, serveHttp } from '@switchboard/gateway';
import ping from '@switchboard/health-ping';
import leastLoaded from '@switchboard/strategy-least-loaded';
import http from '@switchboard/transport-http';
import { startHttpFixture } from '@switchboard/testing/fixtures';
import { chromium } from 'playwright-core';

const out = process.argv[2] ?? new URL('../docs/images/dashboard.png', import.meta.url).pathname;
const fixtures = [
  await startHttpFixture({ name: 'search-eu', tools: ['echo', 'web_search', 'whoami'], latencyMs: 8 }),
  await startHttpFixture({ name: 'search-us', tools: ['echo', 'web_search', 'whoami'], latencyMs: 21, failureRate: 0.04 }),
  await startHttpFixture({ name: 'compute', tools: ['echo', 'calculate', 'whoami'], latencyMs: 3 }),
  await startHttpFixture({ name: 'compute-canary', tools: ['echo', 'calculate', 'whoami'], latencyMs: 5 }),
];
const router = createRouter(
  {
    discovery: [{ type: 'static', servers: fixtures.map((f) => ({ name: f.name, url: f.url })) }],
    strategy: { type: 'least-loaded' },
    health: { type: 'ping', intervalMs: 250, timeoutMs: 1000 },
    logLevel: 'silent',
  },
  { plugins: [staticDiscovery(), ping(), leastLoaded(), http()] },
);
await router.initialize();
const gateway = createGateway({ router });
await gateway.ready();
const server = await serveHttp(gateway, { port: 0, dashboard: true });
const profile = await mkdtemp(join(tmpdir(), 'switchboard-shot-'));
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const browser = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args, headless: true, viewport: { width: 1280, height: 720 }, colorScheme: 'light' });
const clients = [];
try {
  const page = await browser.newPage();
  await page.goto(new URL('/dashboard', server.url).href);
  for (let i = 0; i < 4; i++) {
    const client = new Client({ name: `load-${i}`, version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    clients.push(client);
  }
  // Mixed calls from four sessions while the page is captured, so rates, percentiles and errors have data.
  let running = true;
  const load = Promise.all(
    clients.map(async (client, i) => {
      while (running) {
        const name = ['web_search', 'calculate', 'echo', 'whoami'][i];
        const args = name === 'web_search' ? { query: 'mcp' } : name === 'calculate' ? { expression: '6*7' } : name === 'echo' ? { text: 'hi' } : {};
        await client.callTool({ name, arguments: args }).catch(() => undefined);
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 2_500));
  await fixtures[3].close(); // the canary dies: the page shows it unhealthy with its error
  await page.waitForFunction(() => document.querySelector('tr[data-service="compute-canary"] [data-field=status]')?.textContent === 'unhealthy', undefined, { timeout: 10_000 });
  await new Promise((r) => setTimeout(r, 1_500)); // a full rate window after the failover settled
  await page.screenshot({ path: out, fullPage: true });
  running = false;
  await load;
  console.error(`wrote ${out}`);
} finally {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await browser.close();
  await rm(profile, { recursive: true, force: true });
  await server.close();
  await gateway.close();
  await router.close();
  await Promise.all(fixtures.map((f) => f.close()));
}
