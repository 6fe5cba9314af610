// `switchboard demo`: the pattern document's example, for real. Two search servers over Streamable
// HTTP and a compute server over stdio are started here, discovered, routed to, and reported on;
// then one search server is stopped to show failover. Everything started is stopped before exit.
import { createLogger, createRouter, type Router } from '@switchboard/core';
import { startHttpFixture, stdioFixtureEntry, type HttpFixture } from '@switchboard/testing/fixtures';
import { list, percent, resultText, seconds } from '../format.js';
import type { CliIo } from '../io.js';
import { builtinPlugins } from '../plugins.js';

export async function runDemo(io: CliIo): Promise<number> {
  const fixtures: HttpFixture[] = [];
  let router: Router | undefined;
  try {
    fixtures.push(await startHttpFixture({ name: 'search-server-1', tools: ['web_search'], latencyMs: 2 }));
    fixtures.push(await startHttpFixture({ name: 'search-server-2', tools: ['web_search'], latencyMs: 2 }));
    const [s1, s2] = fixtures as [HttpFixture, HttpFixture];
    router = createRouter(
      {
        routing_strategy: 'capability_match',
        max_failover_attempts: 3,
        health_check_interval: 30,
        initial_servers: [
          { name: 'search-server-1', transport: 'http', url: s1.url, capabilities: ['search', 'web_search'] },
          { name: 'search-server-2', transport: 'http', url: s2.url, capabilities: ['search', 'web_search'] },
          stdioFixtureEntry('compute-server', ['calculate'], { capabilities: ['compute', 'calculate'] }),
        ],
      },
      // The demo stops a server on purpose; its warnings would only interleave with the report.
      { plugins: builtinPlugins(), logger: createLogger({ level: (process.env.SWITCHBOARD_LOG_LEVEL as 'error' | undefined) ?? 'error' }) },
    );
    io.out('=== Switchboard: auto-discovery routing demo ===\n');
    await router.initialize();
    const services = await router.discoverServices();
    io.out(`✅ Discovered ${Object.keys(services).length} services`);
    for (const s of Object.values(services)) io.out(`   - ${s.name}: ${list(s.capabilities)} (${s.transport})`);

    io.out('\n=== Routing Requests ===\n');
    const requests = [
      { requestType: 'search', toolName: 'web_search', arguments: { query: 'AI research' }, requiredCapabilities: ['search'] },
      { requestType: 'compute', toolName: 'calculate', arguments: { expression: '(2+3)*7' }, requiredCapabilities: ['compute'] },
    ];
    let n = 0;
    for (const request of requests) {
      const r = await router.routeRequest(request);
      io.out(`Request ${++n}: service=${r.serviceUsed ?? 'none'}  ${r.success ? resultText(r.result) : `error: ${r.error}`}`);
    }

    io.out('\n=== Failover ===\n');
    await s1.close();
    io.out('Stopped search-server-1.');
    const r = await router.routeRequest(requests[0]!);
    n++;
    io.out(
      `Request ${n}: service=${r.serviceUsed ?? 'none'}, failover_attempts=${r.failoverAttempts}` +
        (r.primaryServiceFailed ? `, primary_service_failed=${r.primaryServiceFailed}` : '') +
        `, latency=${seconds(r.latency)}`,
    );

    io.out('\n=== Service Health ===\n');
    await router.checkHealth();
    const health = await router.getServiceHealth();
    for (const [name, h] of Object.entries(health)) {
      io.out(`${name}: ${h.healthy ? '✅ Healthy' : '❌ Unhealthy'}`);
      io.out(`  Success rate: ${percent(h.successRate)}`);
      io.out(`  Avg latency: ${seconds(h.averageLatency)}`);
      if (!h.healthy && h.lastError) io.out(`  Last error: ${h.lastError}`);
    }

    io.out('\n=== Performance Report ===\n');
    const report = router.getPerformanceReport();
    io.out(`Total routing decisions: ${report.totalRoutingDecisions}`);
    io.out(`Failovers: ${report.totalFailovers}`);
    io.out(`Discovery age: ${report.discoveryAgeSeconds.toFixed(1)}s`);
    io.out('\n✅ Auto-discovery routing example complete');
    return 0;
  } finally {
    await router?.close();
    await Promise.all(fixtures.map((f) => f.close().catch(() => undefined)));
  }
}
