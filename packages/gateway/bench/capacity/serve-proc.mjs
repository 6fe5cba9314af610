#!/usr/bin/env node
// One process of a capacity case, so its CPU can be read from /proc apart from the load generator:
//   serve-proc.mjs upstream 2025|2026   an echo upstream on the official SDK over Streamable HTTP
//   serve-proc.mjs gateway '<servers>'  the gateway over HTTP in front of the servers (JSON)
//   serve-proc.mjs floor                node:http answering a canned JSON-RPC result
//   serve-proc.mjs relay <url>          node:http relaying each request byte for byte to <url> over a
//                                       keep-alive agent: the least any Node HTTP proxy does per call
// Prints its URL on stdout, runs until stdin closes. A line `gc` on stdin prints, as one JSON line,
// the garbage collections since it started: how many and how long, scavenges and full collections apart.
import http from 'node:http';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const fromRoot = createRequire(`${root}package.json`);
const load = (name) => import(pathToFileURL(fromRoot.resolve(name)).href);
const [kind, arg] = process.argv.slice(2);
let close = async () => undefined;

if (kind === 'upstream') {
  const { startHttpFixture, startModernHttpFixture } = await load('@switchboard/testing/fixtures');
  const fixture = arg === '2026' ? await startModernHttpFixture({ name: 'echo-up' }) : await startHttpFixture({ name: 'echo-up', tools: ['echo'] });
  close = () => fixture.close();
  process.stdout.write(`${fixture.url}\n`);
} else if (kind === 'gateway') {
  const { createRouter } = await load('@switchboard/core');
  const { createGateway, serveHttp } = await load('@switchboard/gateway');
  const router = createRouter({ discovery: [{ type: 'static', servers: JSON.parse(arg) }], strategy: { type: 'first-match' }, logLevel: 'error' }, { resolveFrom: [root] });
  await router.initialize();
  const gateway = createGateway({ router });
  await gateway.ready();
  const served = await serveHttp(gateway, { port: 0, maxSessionsPerClient: 100_000 });
  close = async () => {
    await served.close();
    await gateway.close();
    await router.close();
  };
  process.stdout.write(`${served.url}\n`);
} else if (kind === 'floor') {
  const answer = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'hello' }] } });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(resolve));
  process.stdout.write(`http://127.0.0.1:${server.address().port}/mcp\n`);
} else if (kind === 'relay') {
  // No parsing, no checks: request headers and body go up as they came, the answer comes back as
  // it came. What a proxy costs above this is its own work; this is node's HTTP client and server.
  const target = new URL(arg);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers, host: target.host };
    const up = http.request({ hostname: target.hostname, port: target.port, path: target.pathname, method: req.method, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => (agent.destroy(), server.closeAllConnections(), server.close(resolve)));
  process.stdout.write(`http://127.0.0.1:${server.address().port}/mcp\n`);
} else {
  throw new Error(`unknown kind ${kind}`);
}

// Each collection's pause, as V8 reports it: the time the main thread stood still for it.
const gc = { scavenges: 0, scavengeMs: 0, fullCollections: 0, fullMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) (gc.scavenges++, (gc.scavengeMs += entry.duration));
    else if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) (gc.fullCollections++, (gc.fullMs += entry.duration));
  }
}).observe({ entryTypes: ['gc'] });
let pending = '';
process.stdin.on('data', (chunk) => {
  pending += chunk;
  for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
    if (pending.slice(0, nl).trim() === 'gc') process.stdout.write(`${JSON.stringify(gc)}\n`);
    pending = pending.slice(nl + 1);
  }
});
process.stdin.on('end', () => void close().finally(() => process.exit(0)));
