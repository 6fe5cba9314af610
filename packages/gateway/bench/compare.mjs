#!/usr/bin/env node
// Two builds of the gateway side by side: the gateway of this checkout and of BENCH_BASELINE (the
// root of another checkout, built), each in front of its own copy of the same stdio echo upstream,
// loaded in turn at a fixed rate (autocannon, 32 connections), phase after phase, reading each
// gateway's CPU per call from /proc. On a shared machine the same case moves by 2× between runs
// (capacity.mjs's ratios, and the steal time the hypervisor takes); alternating phases in one run
// share much of what the machine does. Without BENCH_BASELINE this checkout is compared with
// itself: the spread of that ratio is the least change a run can show (5-12% on the 2-core
// machine of docs/benchmarks.md, so a change worth a few percent shows only in its own counts).
//
//   BENCH_BASELINE=/path/to/other/checkout pnpm bench:compare
//
// Env: BENCH_RATE (calls/s, default 1500: below the capacity of either era's stdio case),
// BENCH_SECONDS per phase (4), BENCH_PHASES per build and round (5), BENCH_ERAS (default
// "2025,2026": the era of both the client and the upstream). Prints one JSON line per era. Linux
// only (/proc).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuMs, echoLoad, headersFor } from './capacity/echo-load.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const baseline = process.env.BENCH_BASELINE ? `${process.env.BENCH_BASELINE.replace(/\/$/, '')}/` : root;
const fromRoot = createRequire(`${root}package.json`);
const { stdioFixtureEntry, modernStdioFixtureEntry } = await import(pathToFileURL(fromRoot.resolve('@switchboard/testing/fixtures')).href);

const rate = Number(process.env.BENCH_RATE ?? 1500);
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const phases = Number(process.env.BENCH_PHASES ?? 5);
const eras = (process.env.BENCH_ERAS ?? '2025,2026').split(',');

/** A gateway of the checkout at `checkout`, in front of `servers`; resolves once it prints its URL. */
function startGateway(checkout, servers) {
  const serve = `${checkout}packages/gateway/bench/capacity/serve-proc.mjs`;
  const child = spawn(process.execPath, [serve, 'gateway', JSON.stringify(servers)], { cwd: checkout, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve({ url: out.split('\n')[0].trim(), pid: child.pid, close: () => new Promise((done) => (child.once('exit', done), child.stdin.end())) });
    });
    child.once('exit', (code) => reject(new Error(`the gateway of ${checkout} exited with ${code}`)));
  });
}

const load = (target, options) => echoLoad({ ...target, client: 'compare' }, { connections: 32, duration: seconds, ...options });

/** CPU µs per call of the target's gateway over one paced phase, and how many calls failed. */
async function phase(target) {
  const before = cpuMs(target.pid);
  const result = await load(target, { overallRate: rate });
  const calls = Math.max(1, result.requests.total);
  return { us: Math.round(((cpuMs(target.pid) - before) * 1000) / calls), failed: result.non2xx + result.errors };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * One round: both gateways started (in `order`), warmed, then loaded phase by phase in ABBA order,
 * so neither build always runs right after the other's load. Returns CPU µs per call per phase.
 */
async function round(era, order) {
  const servers = [era === '2026' ? modernStdioFixtureEntry('echo-up') : stdioFixtureEntry('echo-up', ['echo'])];
  const started = {};
  try {
    for (const name of order) started[name] = await startGateway(name === 'head' ? root : baseline, servers);
    const targets = {};
    for (const name of order) targets[name] = { ...started[name], era, headers: await headersFor(started[name].url, era, 'compare') };
    // Warm both (JIT, heap growth, the upstream session) past the window in which V8's worker
    // threads still cost half as much again as the main thread (see docs/benchmarks.md).
    for (const name of order) {
      await load(targets[name], { duration: 3 });
      await load(targets[name], { overallRate: rate });
    }
    const us = { baseline: [], head: [] };
    let failed = 0;
    for (let i = 0; i < phases; i++) {
      for (const name of i % 2 === 0 ? order : [...order].reverse()) {
        const measured = await phase(targets[name]);
        us[name].push(measured.us);
        failed += measured.failed;
      }
    }
    return { us, failed };
  } finally {
    for (const g of Object.values(started)) await g.close();
  }
}

for (const era of eras) {
  // Two rounds, each build started first in one: in runs of a build against itself, the gateway
  // started first cost 5-12% more per call, whichever it was.
  const rounds = [await round(era, ['baseline', 'head']), await round(era, ['head', 'baseline'])];
  const baselineUs = rounds.flatMap((r) => r.us.baseline);
  const headUs = rounds.flatMap((r) => r.us.head);
  const ratio = (head, base) => Math.round((median(head) / median(base)) * 1000) / 1000;
  process.stdout.write(
    JSON.stringify({
      bench: 'compare',
      era,
      baseline: baseline === root ? 'itself' : baseline,
      rate,
      seconds,
      baselineCpuUsPerCall: baselineUs,
      headCpuUsPerCall: headUs,
      headToBaselineMedianRatio: ratio(headUs, baselineUs),
      byRound: rounds.map((r) => ratio(r.us.head, r.us.baseline)),
      failed: rounds.reduce((sum, r) => sum + r.failed, 0),
    }) + '\n',
  );
}
