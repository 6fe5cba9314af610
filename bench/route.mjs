// Real routed tool calls per second through the router to fixture servers over Streamable HTTP on
// loopback: sequential and with 32 in flight, across two replicas.
import { createRouter } from '@switchboard/core';
import { startHttpFixture } from '@switchboard/testing/fixtures';
import staticDiscovery from '@switchboard/discovery-static';
import roundRobin from '@switchboard/strategy-round-robin';
import transportHttp from '@switchboard/transport-http';

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function drive(router, concurrency, durationMs) {
  const latencies = [];
  const deadline = performance.now() + durationMs;
  let failures = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const r = await router.routeRequest({ toolName: 'echo', arguments: { text: 'hi' } });
      latencies.push(performance.now() - t0);
      if (!r.success) failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { calls: latencies.length, failures, callsPerSec: Math.round(latencies.length / (elapsed / 1000)), p50Ms: +percentile(latencies, 50).toFixed(3), p99Ms: +percentile(latencies, 99).toFixed(3) };
}

export async function runRouteBench(print, durationMs = 2_000) {
  const fixtures = [await startHttpFixture({ name: 'echo-1', tools: ['echo'] }), await startHttpFixture({ name: 'echo-2', tools: ['echo'] })];
  const router = createRouter(
    { discovery: [{ type: 'static', servers: fixtures.map((f) => ({ name: f.name, url: f.url })) }], strategy: { type: 'round-robin' }, health: false, logLevel: 'error' },
    { plugins: [staticDiscovery(), roundRobin(), transportHttp()] },
  );
  try {
    await router.initialize();
    for (const concurrency of [1, 32]) {
      const r = await drive(router, concurrency, durationMs);
      print({ bench: 'route', transport: 'http', replicas: 2, concurrency, ...r });
    }
  } finally {
    await router.close();
    await Promise.all(fixtures.map((f) => f.close()));
  }
}
