#!/usr/bin/env node
// Capacity and CPU per call, measured the way a load test would: a lean load generator
// (autocannon, BENCH_CONNECTIONS connections, one MCP session for the 2025 era, stateless requests
// for 2026-07-28) POSTs `tools/call echo` as fast as the target answers, for BENCH_SECONDS; then
// again at a fixed BENCH_RATE calls/s, below every case's capacity, reading each process's CPU from
// /proc. Every server is its own process (serve-proc.mjs), so what is counted is its own work.
// Prints one JSON line per case. Linux only (/proc). Run after `pnpm build`. BENCH_CASES (a regular
// expression) runs only the cases whose name matches. The HTTP-upstream cases run twice: as the
// machine schedules them, and pinned (`-pinned`, see `pin` below).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuMs, echoLoad, headersFor as echoHeaders } from './capacity/echo-load.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fromRoot = createRequire(`${root}package.json`);
const { stdioFixtureEntry, modernStdioFixtureEntry } = await import(pathToFileURL(fromRoot.resolve('@switchboard/testing/fixtures')).href);
const SERVE = fileURLToPath(new URL('./capacity/serve-proc.mjs', import.meta.url));

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
// Below every case's capacity on a 2-core machine (the 2026-07-28 HTTP cases are the slowest).
const rate = Number(process.env.BENCH_RATE ?? 200);

// Pinned cases: the HTTP upstream gets CPU 0 to itself; the load generator and the process under
// test (gateway, relay, or nothing for direct) share the other CPUs. That is a deployment's shape
// (a gateway does not take cycles from its upstream's core) and it removes the contention that
// otherwise sets HTTP → HTTP capacity on two cores: unpinned, the SDK upstream uses 1.2-1.3 cores
// (V8's worker threads beside its main thread), so any proxy beside it takes from its capacity.
// BENCH_PIN=0 skips them; they need taskset (util-linux) and at least two CPUs.
const cpus = readdirSync('/sys/devices/system/cpu').filter((name) => /^cpu\d+$/.test(name)).length;
const canPin = process.env.BENCH_PIN !== '0' && cpus >= 2 && (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const ALL_CPUS = `0-${cpus - 1}`;
const REST_CPUS = cpus > 2 ? `1-${cpus - 1}` : '1';
/** Set a process's (and all its threads') CPU affinity. */
function pin(pid, list) {
  execFileSync('taskset', ['-a', '-c', '-p', list, String(pid)], { stdio: 'ignore' });
}

/** Start one serve-proc process; resolves with its URL once it prints it. */
function start(...args) {
  const child = spawn(process.execPath, [SERVE, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  // Lines after the URL answer `gc` queries, in order.
  const waiting = [];
  return new Promise((resolve, reject) => {
    let out = '';
    let url;
    child.stdout.on('data', (chunk) => {
      out += chunk;
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl).trim();
        out = out.slice(nl + 1);
        if (url === undefined) {
          url = line;
          resolve({
            url,
            pid: child.pid,
            gc: () => new Promise((answer) => (waiting.push(answer), child.stdin.write('gc\n'))),
            close: () => new Promise((done) => (child.once('exit', done), child.stdin.end())),
          });
        } else waiting.shift()?.(JSON.parse(line));
      }
    });
    child.once('exit', (code) => reject(new Error(`serve-proc ${args[0]} exited with ${code}`)));
  });
}

/** A process's descendants (a stdio upstream under the gateway), whose CPU is the upstream's. */
function children(pid) {
  const out = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    for (const c of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) out.push(Number(c), ...children(Number(c)));
  }
  return out;
}

const headersFor = (url, era) => echoHeaders(url, era, 'capacity');
const load = (url, headers, era, options) => echoLoad({ url, headers, era, client: 'capacity' }, { connections, duration: seconds, ...options });

async function measure(name, era, target, processes) {
  const headers = await headersFor(target.url, era);
  await load(target.url, headers, era, { duration: 1 }); // warm up: JIT, sockets, upstream sessions
  // The first process is the one measured (the gateway, or the server called directly); everything
  // else, its own children included (a stdio upstream under the gateway), is the upstream.
  const measured = processes[0].pid;
  const others = [...children(measured), ...processes.slice(1).flatMap((p) => [p.pid, ...children(p.pid)])];
  // What each side used at capacity, in cores: which of them is the bottleneck.
  const atStart = [measured, ...others].map(cpuMs);
  const selfAtStart = process.cpuUsage();
  const gcAtStart = await target.gc();
  const full = await load(target.url, headers, era, {});
  const gcAfter = await target.gc();
  const cores = (ms) => Math.round(ms / seconds / 10) / 100;
  const fullUsed = [measured, ...others].map((pid, i) => cpuMs(pid) - atStart[i]);
  const self = process.cpuUsage(selfAtStart);
  const coresAtCapacity = {
    measured: cores(fullUsed[0]),
    ...(others.length > 0 ? { upstream: cores(fullUsed.slice(1).reduce((a, b) => a + b, 0)) } : {}),
    loadGenerator: cores((self.user + self.system) / 1000),
  };
  // One paced window to settle, then the measured one. After the capacity run both processes are
  // still compiling and growing their heaps (V8's worker threads then cost about half as much again as
  // the main thread); a gateway in service runs warm, so the figure is taken once that has passed.
  await load(target.url, headers, era, { overallRate: rate });
  const before = [measured, ...others].map(cpuMs);
  const paced = await load(target.url, headers, era, { overallRate: rate });
  const used = [measured, ...others].map((pid, i) => cpuMs(pid) - before[i]);
  const calls = paced.requests.total;
  const own = used[0];
  const upstream = used.slice(1).reduce((a, b) => a + b, 0);
  // The measured process's collections at capacity, per call: what the heap's churn costs it (its
  // main thread stands still for each pause).
  const capacityCalls = Math.max(1, full.requests.total);
  const perCall = (key) => Math.round(((gcAfter[key] - gcAtStart[key]) * 1e6) / capacityCalls) / 1000;
  const gcAtCapacity = {
    scavenges: gcAfter.scavenges - gcAtStart.scavenges,
    scavengeUsPerCall: perCall('scavengeMs'),
    fullCollections: gcAfter.fullCollections - gcAtStart.fullCollections,
    fullUsPerCall: perCall('fullMs'),
  };
  return {
    bench: 'capacity',
    case: name,
    era,
    connections,
    seconds,
    capacity: { requestsPerSec: Math.round(full.requests.total / seconds), p50Ms: full.latency.p50, p99Ms: full.latency.p99, non2xx: full.non2xx, errors: full.errors, coresAtCapacity, gc: gcAtCapacity },
    atRate: {
      rate,
      achieved: Math.round(calls / seconds),
      cpuUsPerCall: Math.round((own * 1000) / Math.max(1, calls)),
      ...(others.length > 0 ? { upstreamCpuUsPerCall: Math.round((upstream * 1000) / Math.max(1, calls)) } : {}),
      non2xx: paced.non2xx,
    },
  };
}

const stdioEntry = (era) => (era === '2026' ? modernStdioFixtureEntry('echo-up') : stdioFixtureEntry('echo-up', ['echo']));
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const results = {};
// BENCH_CASES: a regular expression; only the cases whose name matches run (a ratio needs its direct case).
const only = process.env.BENCH_CASES ? new RegExp(process.env.BENCH_CASES) : undefined;
async function run(name, era, setup, { pinned = false } = {}) {
  if (only && !only.test(name)) return;
  const procs = await setup();
  try {
    if (pinned) {
      // The last process is the HTTP upstream; the first, unless it is that upstream (direct), is
      // the one under test and shares the rest with this process, the load generator.
      pin(procs.at(-1).pid, '0');
      pin(process.pid, REST_CPUS);
      if (procs.length > 1) pin(procs[0].pid, REST_CPUS);
    }
    const line = await measure(name, era, procs[0], procs);
    if (pinned) line.pinned = { upstream: '0', rest: REST_CPUS };
    results[name] = line;
    const direct = results[pinned ? `direct-http-${era}-pinned` : `direct-http-${era}`];
    if (direct && direct !== line) line.capacityRatioToDirect = Math.round((line.capacity.requestsPerSec / direct.capacity.requestsPerSec) * 1000) / 1000;
    print(line);
  } finally {
    if (pinned) pin(process.pid, ALL_CPUS);
    for (const p of procs.reverse()) await p.close();
  }
}

await run('floor', '2026', async () => [await start('floor')]);
// The cases with an HTTP upstream, each run as the machine schedules it and pinned (see `pin`).
const httpCases = (era) => ({
  [`direct-http-${era}`]: async () => [await start('upstream', era)],
  // The floor for HTTP→HTTP: node:http relaying bytes, no MCP at all.
  [`relay-http-to-http-${era}`]: async () => {
    const upstream = await start('upstream', era);
    return [await start('relay', upstream.url), upstream];
  },
  [`gateway-http-to-http-${era}`]: async () => {
    const upstream = await start('upstream', era);
    return [await start('gateway', JSON.stringify([{ name: 'echo-up', url: upstream.url }])), upstream];
  },
});
for (const era of ['2025', '2026']) {
  for (const [name, setup] of Object.entries(httpCases(era))) await run(name, era, setup);
  await run(`gateway-http-to-stdio-${era}`, era, async () => [await start('gateway', JSON.stringify([stdioEntry(era)]))]);
  if (canPin) for (const [name, setup] of Object.entries(httpCases(era))) await run(`${name}-pinned`, era, setup, { pinned: true });
}
// The bridges: a client of one era through the gateway to a stdio upstream of the other. Beside the
// same-era cases they split an era's cost into its client side and its upstream side, each measured
// next to the same upstream (a process's CPU per call depends on what else runs on the machine: the
// byte relay costs more beside the heavier 2026-07-28 server than beside the 2025 one).
for (const [era, upstreamEra] of [
  ['2026', '2025'],
  ['2025', '2026'],
]) {
  await run(`bridge-${era}-client-to-${upstreamEra}-stdio`, era, async () => [await start('gateway', JSON.stringify([stdioEntry(upstreamEra)]))]);
}

// The eras in one gateway: the same process, the same upstream, warm for both, loaded at the fixed
// rate by a 2025 session and by 2026-07-28 requests in turn, five phases each. Cases run one after
// another drift with the machine; alternating phases in one process do not, so this is the
// comparison of what each client era costs the gateway.
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const upstreamEra of ['2025', '2026']) {
  const name = `eras-alternating-to-${upstreamEra}-stdio`;
  if (only && !only.test(name)) continue;
  const gateway = await start('gateway', JSON.stringify([stdioEntry(upstreamEra)]));
  try {
    const headers = { 2025: await headersFor(gateway.url, '2025'), 2026: await headersFor(gateway.url, '2026') };
    for (const era of ['2025', '2026']) await load(gateway.url, headers[era], era, { duration: 1 });
    const usPerCall = { 2025: [], 2026: [] };
    for (let phase = 0; phase < 5; phase++) {
      for (const era of ['2025', '2026']) {
        const before = cpuMs(gateway.pid);
        const paced = await load(gateway.url, headers[era], era, { overallRate: rate });
        usPerCall[era].push(Math.round(((cpuMs(gateway.pid) - before) * 1000) / Math.max(1, paced.requests.total)));
      }
    }
    print({
      bench: 'capacity',
      case: name,
      rate,
      seconds,
      legacyClientCpuUsPerCall: usPerCall[2025],
      modernClientCpuUsPerCall: usPerCall[2026],
      modernToLegacyMedianRatio: Math.round((median(usPerCall[2026]) / median(usPerCall[2025])) * 100) / 100,
    });
  } finally {
    await gateway.close();
  }
}
