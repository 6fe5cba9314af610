// A hung replica under load: three replicas (separate processes) over Streamable HTTP, 8 callers
// of a read-only tool, and one replica made unresponsive a second in, for three seconds: either it
// keeps accepting requests and never answers them (`hang`), or its process is stopped (SIGSTOP:
// the kernel still accepts connections, nothing reads them). Timeouts and health checks are left
// at their defaults (30 s per call, a ping every 30 s), as an operator would. Prints failed calls, the longest call, and the seconds
// during which no call completed (100 ms windows from the fault until every caller is done).
import { createRouter } from '@switchboard/core';
import staticDiscovery from '@switchboard/discovery-static';
import healthPing from '@switchboard/health-ping';
import firstMatch from '@switchboard/strategy-first-match';
import leastLoaded from '@switchboard/strategy-least-loaded';
import roundRobin from '@switchboard/strategy-round-robin';
import transportHttp from '@switchboard/transport-http';
import { launchReplica } from './replica-process.mjs';

const CALLERS = 8;
const FAULT_AT_MS = 1_000;
const FAULT_FOR_MS = 3_000;
const RUN_MS = 6_000;
const WINDOW_MS = 100;


const control = (replica, fault) => fetch(new URL('/__control', replica.url), { method: 'POST', body: JSON.stringify({ fault }) });

async function runCase(print, strategy, fault) {
  const replicas = await Promise.all(['s1', 's2', 's3'].map((n) => launchReplica(n, ['--latency', '1'])));
  // However this case ends (a bad config throws before the try below), no replica outlives the bench.
  const killAll = () => replicas.forEach((r) => r.child.kill('SIGKILL'));
  process.once('exit', killAll);
  const router = createRouter(
    {
      discovery: [{ type: 'static', servers: replicas.map((r) => ({ name: r.name, url: r.url })) }],
      strategy: { type: strategy },
      logLevel: 'silent',
    },
    { plugins: [staticDiscovery(), healthPing(), firstMatch(), leastLoaded(), roundRobin(), transportHttp()] },
  );
  const victim = strategy === 'first-match' ? replicas[0] : replicas[1];
  try {
    await router.initialize();
    const calls = [];
    const started = performance.now();
    let faultAt = Infinity;
    const inject = setTimeout(async () => {
      faultAt = performance.now();
      if (fault === 'sigstop') victim.child.kill('SIGSTOP');
      else await control(victim, 'hang');
    }, FAULT_AT_MS);
    const heal = setTimeout(async () => {
      if (fault === 'sigstop') victim.child.kill('SIGCONT');
      else await control(victim, 'none');
    }, FAULT_AT_MS + FAULT_FOR_MS);
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (performance.now() - started < RUN_MS) {
          const t0 = performance.now();
          const r = await router.routeRequest({ toolName: 'whoami' });
          calls.push({ at: t0, end: performance.now(), ok: r.success });
        }
      }),
    );
    clearTimeout(inject);
    clearTimeout(heal);
    const finished = performance.now();
    // Windows from the fault to the end with no completed call: what every caller saw as a stall.
    const ends = calls.filter((c) => c.end >= faultAt).map((c) => c.end);
    let stalledWindows = 0;
    for (let w = faultAt; w < finished; w += WINDOW_MS) if (!ends.some((e) => e >= w && e < w + WINDOW_MS)) stalledWindows++;
    const after = calls.filter((c) => c.at >= faultAt);
    print({
      bench: 'stall',
      fault,
      strategy,
      replicas: 3,
      concurrency: CALLERS,
      faultForMs: FAULT_FOR_MS,
      calls: calls.length,
      failedCalls: calls.filter((c) => !c.ok).length,
      stalledSeconds: +((stalledWindows * WINDOW_MS) / 1000).toFixed(1),
      maxCallMsAfterFault: +Math.max(0, ...after.map((c) => c.end - c.at)).toFixed(1),
      callsPerSecDuringFault: Math.round(calls.filter((c) => c.end >= faultAt && c.end < faultAt + FAULT_FOR_MS).length / (FAULT_FOR_MS / 1000)),
      runMs: Math.round(finished - started),
    });
  } finally {
    for (const r of replicas) r.child.kill('SIGCONT');
    await router.close();
    killAll();
    process.off('exit', killAll);
  }
}

export async function runStallBench(print) {
  for (const fault of ['hang', 'sigstop']) for (const strategy of ['round-robin', 'least-loaded', 'first-match']) await runCase(print, strategy, fault);
}
