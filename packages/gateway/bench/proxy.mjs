#!/usr/bin/env node
// Proxy overhead: the same SDK client calls an echo tool directly on an upstream fixture and through
// the gateway, sequentially and with 32 calls in flight, over Streamable HTTP and over stdio.
// Prints one JSON line per case. Run after `pnpm build`: node packages/gateway/bench/proxy.mjs
// Env: BENCH_SECONDS (per side per case, default 2), BENCH_WARMUP_SECONDS (per side per case, default 3),
// BENCH_CONCURRENCY (default 32).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createRouter } from '@switchboard/core';
import { createGateway, serveHttp } from '@switchboard/gateway';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// The fixtures live in @switchboard/testing, a dev package of the workspace root, not of the gateway.
const fromRoot = createRequire(`${root}package.json`);
const { startHttpFixture, stdioFixtureEntry } = await import(pathToFileURL(fromRoot.resolve('@switchboard/testing/fixtures')).href);
const STDIO_GATEWAY = fileURLToPath(new URL('../test/fixtures/stdio-gateway.mjs', import.meta.url));

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);

async function connect(transport) {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

// The SDK v1 client hands its one long-lived signal to every fetch, and undici drops its listener on
// it only when the request is collected, so at a few hundred calls/s Node warns of a listener leak
// on the bench's side. The bench never aborts a POST; the GET stream keeps the signal, so close()
// still ends it.
const benchFetch = (url, init) => fetch(url, init?.method === 'POST' ? { ...init, signal: undefined } : init);

const call = (client) => client.callTool({ name: 'echo', arguments: { text: 'hello' } });

async function measure(client, inFlight) {
  // Warm up for a while, not a number of calls: the gateway runs far more code per call than a bare
  // server, and V8 optimises it only after a few thousand calls (over stdio its sequential latency
  // falls from ~1.2 ms to ~0.3 ms in the first 3 s). A fixed count would measure the JIT, not the proxy.
  const warm = performance.now() + warmupSeconds * 1000;
  for (let i = 0; i < 100 || performance.now() < warm; i++) await call(client);
  const latencies = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      await call(client);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
  return { callsPerSec: Math.round(latencies.length / elapsed), p50Ms: round(pct(50)), p99Ms: round(pct(99)), calls: latencies.length };
}

const round = (n) => Math.round(n * 1000) / 1000;

async function runCases(transport, direct, viaGateway) {
  for (const [mode, inFlight] of [
    ['sequential', 1],
    [`concurrent-${concurrency}`, concurrency],
  ]) {
    const d = await measure(direct, inFlight);
    const g = await measure(viaGateway, inFlight);
    console.log(JSON.stringify({ bench: 'proxy', transport, mode, direct: d, gateway: g, ratio: round(g.callsPerSec / d.callsPerSec) }));
  }
}

// ── Streamable HTTP: client → fixture vs client → gateway → fixture ──────────────────────────
{
  const fixture = await startHttpFixture({ name: 'echo-up', tools: ['echo'] });
  const router = createRouter(
    { discovery: [{ type: 'static', servers: [{ name: 'echo-up', transport: 'http', url: fixture.url }] }], strategy: { type: 'first-match' }, logLevel: 'error' },
    { resolveFrom: [root] },
  );
  await router.initialize();
  const gateway = createGateway({ router });
  const served = await serveHttp(gateway, { port: 0 });
  const direct = await connect(new StreamableHTTPClientTransport(new URL(fixture.url), { fetch: benchFetch }));
  const viaGateway = await connect(new StreamableHTTPClientTransport(new URL(served.url), { fetch: benchFetch }));
  try {
    await runCases('http', direct, viaGateway);
  } finally {
    await direct.close();
    await viaGateway.close();
    await served.close();
    await gateway.close();
    await router.close();
    await fixture.close();
  }
}

// ── stdio: client → fixture process vs client → gateway process → fixture process ────────────
{
  const entry = stdioFixtureEntry('echo-stdio', ['echo']);
  const direct = await connect(new StdioClientTransport({ command: entry.command, args: entry.args }));
  const viaGateway = await connect(new StdioClientTransport({ command: process.execPath, args: [STDIO_GATEWAY, JSON.stringify([entry])], cwd: root }));
  try {
    await runCases('stdio', direct, viaGateway);
  } finally {
    await direct.close();
    await viaGateway.close();
  }
}
