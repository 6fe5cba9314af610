// What the router tells about its services: the discovered catalogue, health, and performance.
import type { UpstreamPool } from '../pool.js';
import type { ServiceRegistry } from '../registry.js';
import type { PerformanceReport, ServerInfo, ServiceHealthReport } from '../route-types.js';

export function serviceCatalogue(registry: ServiceRegistry): Record<string, ServerInfo> {
  const out: Record<string, ServerInfo> = {};
  for (const e of registry.all()) {
    out[e.name] = {
      name: e.name,
      transport: e.descriptor.transport,
      ...(e.descriptor.url ? { url: e.descriptor.url } : {}),
      ...(e.descriptor.command ? { command: [e.descriptor.command, ...e.descriptor.args].join(' ') } : {}),
      capabilities: e.capabilities,
      tools: [...e.tools.keys()],
      healthy: e.health.status !== 'unhealthy',
      source: e.descriptor.source,
      metadata: { ...e.descriptor.metadata },
    };
  }
  return out;
}

export function serviceHealth(registry: ServiceRegistry, pool: UpstreamPool | undefined): Record<string, ServiceHealthReport> {
  const out: Record<string, ServiceHealthReport> = {};
  for (const e of registry.all()) {
    const link = pool?.state(e.name);
    out[e.name] = {
      healthy: e.status === 'healthy' || e.status === 'unknown',
      status: e.status,
      healthCheck: e.health.status,
      successRate: e.stats.successRate,
      totalRequests: e.stats.total,
      averageLatency: e.stats.averageLatencyMs / 1000,
      inFlight: e.stats.inFlight,
      breakerState: e.breaker,
      consecutiveFailures: e.health.consecutiveFailures,
      ejections: e.ejections,
      restarts: link?.restarts ?? 0,
      source: e.descriptor.source,
      transport: e.descriptor.transport,
      ...(link?.era ? { era: link.era } : {}),
      ...(link?.protocolVersion ? { protocolVersion: link.protocolVersion } : {}),
      ...(e.health.lastError ? { lastError: e.health.lastError } : {}),
      ...(e.health.lastCheckAt ? { lastCheckAt: new Date(e.health.lastCheckAt).toISOString() } : {}),
    };
  }
  return out;
}

export function performanceReport(
  registry: ServiceRegistry,
  totals: { decisions: number; failovers: number; hedges: number },
  discoveryAgeSeconds: number,
  now: number,
): PerformanceReport {
  const services: PerformanceReport['services'] = {};
  for (const e of registry.all()) {
    const s = e.stats;
    services[e.name] = {
      totalRequests: s.total,
      successfulRequests: s.successes,
      failedRequests: s.failures,
      averageLatency: s.averageLatencyMs / 1000,
      ewmaLatency: s.ewmaLatencyMs(now) / 1000,
      p50Latency: s.percentile(50) / 1000,
      p99Latency: s.percentile(99) / 1000,
      inFlight: s.inFlight,
    };
  }
  return { services, totalRoutingDecisions: totals.decisions, totalFailovers: totals.failovers, totalHedges: totals.hedges, discoveryAgeSeconds };
}
