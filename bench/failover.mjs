// Failover under load: three replicas (separate processes) over Streamable HTTP, calls of a
// read-only tool, and one replica killed with SIGKILL a second in. Prints calls/s and p99 over the
// run, failed calls, and the time from the kill to the last failed or slow call (slow: over 3× the
// p99 before the kill).
//
// Two loads: 16 callers in a closed loop (each calls again as soon as its call ends), which runs the
// machine at capacity, so a retry waits behind every queued call; and calls offered at a fixed rate
// (BENCH_FAILOVER_RATE, default 300/s, about a third of that capacity here), as a production load
// below capacity is. The first measures failover plus queueing, the second failover itself.
import { createRouter } from '@switchboard/core';
import staticDiscovery from '@switchboard/discovery-static';
import healthPing from '@switchboard/health-ping';
import strategies from '@switchboard/strategy-round-robin';
import latency from '@switchboard/strategy-latency';
import transportHttp from '@switchboard/transport-http';
import { launchReplica } from './replica-process.mjs';


const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

async function runCase(print, strategy, load) {
  const replicas = await Promise.all(['f1', 'f2', 'f3'].map((n) => launchReplica(n)));
  // However this case ends (a bad config throws before the try below), no replica outlives the bench.
  const killAll = () => replicas.forEach((r) => r.child.kill('SIGKILL'));
  process.once('exit', killAll);
  const router = createRouter(
    {
      discovery: [{ type: 'static', servers: replicas.map((r) => ({ name: r.name, url: r.url })) }],
      strategy: { type: strategy },
      failover: { maxAttempts: 2, timeoutMs: 1_000 },
      health: { type: 'ping', intervalMs: 500, timeoutMs: 500 },
      logLevel: 'silent',
    },
    { plugins: [staticDiscovery(), healthPing(), strategies(), latency(), transportHttp()] },
  );
  try {
    await router.initialize();
    const calls = [];
    const started = performance.now();
    const end = started + 3_000;
    let killedAt = Infinity;
    const killer = setTimeout(() => {
      killedAt = performance.now();
      replicas[0].child.kill('SIGKILL');
    }, 1_000);
    const call = async () => {
      const t0 = performance.now();
      const r = await router.routeRequest({ toolName: 'whoami' });
      calls.push({ at: t0, ms: performance.now() - t0, ok: r.success, failovers: r.failoverAttempts });
    };
    if (load.mode === 'closed-loop') {
      await Promise.all(
        Array.from({ length: load.callers }, async () => {
          while (performance.now() < end) await call();
        }),
      );
    } else {
      // Open loop: calls start on schedule whether or not earlier ones have ended, so a slow call
      // does not slow the load down (a closed loop would hide the latency it adds).
      const pending = [];
      const interval = 1000 / load.rate;
      let next = performance.now();
      while (next < end) {
        const now = performance.now();
        for (; next <= now; next += interval) pending.push(call());
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(next - performance.now(), 5))));
      }
      await Promise.all(pending);
    }
    clearTimeout(killer);
    const elapsed = performance.now() - started;
    const before = calls.filter((c) => c.at < killedAt).map((c) => c.ms).sort((a, b) => a - b);
    const slow = 3 * percentile(before, 99);
    const after = calls.filter((c) => c.at >= killedAt);
    const lastBad = after.filter((c) => !c.ok || c.ms > slow).reduce((m, c) => Math.max(m, c.at + c.ms), killedAt);
    const all = calls.map((c) => c.ms).sort((a, b) => a - b);
    print({
      bench: 'failover',
      transport: 'http',
      strategy,
      replicas: 3,
      ...(load.mode === 'closed-loop' ? { load: 'closed-loop', concurrency: load.callers } : { load: 'fixed-rate', offeredPerSec: load.rate }),
      callsPerSec: Math.round(calls.length / (elapsed / 1000)),
      p50Ms: +percentile(all, 50).toFixed(2),
      p99Ms: +percentile(all, 99).toFixed(2),
      failedCalls: calls.filter((c) => !c.ok).length,
      failedOverCalls: after.filter((c) => c.failovers > 0).length,
      killToLastFailedOrSlowMs: +(lastBad - killedAt).toFixed(1),
      // Until the dead replica left the candidate lists, some calls tried it first and failed over.
      killToLastFailoverMs: +(after.filter((c) => c.failovers > 0).reduce((m, c) => Math.max(m, c.at + c.ms), killedAt) - killedAt).toFixed(1),
      maxFailoverCallMs: +Math.max(0, ...after.filter((c) => c.failovers > 0).map((c) => c.ms)).toFixed(1),
    });
  } finally {
    await router.close();
    killAll();
    process.off('exit', killAll);
  }
}

export async function runFailoverBench(print) {
  const rate = Number(process.env.BENCH_FAILOVER_RATE ?? 300);
  for (const load of [{ mode: 'closed-loop', callers: 16 }, { mode: 'fixed-rate', rate }])
    for (const strategy of ['round-robin', 'latency']) await runCase(print, strategy, load);
}
