// The data the dashboard shows, as one JSON-able snapshot: every service's state and numbers, and
// the replica set behind each tool the client sees. Built from the registry and the gateway's
// catalogue only, so it never touches an upstream and costs microseconds per service.
import type { BreakerStatus, ServiceStatus } from '@switchboard/core';
import type { Gateway } from '../gateway.js';

export interface DashboardService {
  name: string;
  /** The discoverer that reported the service (the one in force). */
  source: string;
  transport: string;
  status: ServiceStatus;
  breaker: BreakerStatus;
  inFlight: number;
  totalRequests: number;
  failedRequests: number;
  /** Calls per second between the last two samples (see RateTracker). */
  callsPerSecond: number;
  /** Over the recent window of calls, in ms (0 with no calls yet). */
  p50Ms: number;
  p99Ms: number;
  /** failedRequests / totalRequests (0 with no calls). */
  errorRate: number;
  /** The last health-check error, if the service has one. */
  lastError?: string;
}

export interface DashboardTool {
  /** The name the client sees. */
  name: string;
  /** Services that serve it, in registry order. */
  members: string[];
}

/** A tool whose definition changed from its pin, awaiting `switchboard pins approve`. */
export interface DashboardDefinitionChange {
  /** upstream/tool */
  key: string;
  /** What the gateway does meanwhile: 'block' hides the tool, 'warn' serves it changed. */
  action: 'block' | 'warn' | 'accept';
  /** ISO time the change was first seen. */
  seenAt: string;
}

export interface DashboardSnapshot {
  /** Epoch ms when the snapshot was built. */
  at: number;
  /** Open 2025 client sessions. */
  sessions: number;
  /** 2026-07-28 requests being served (those clients hold no session). */
  modernRequestsInFlight: number;
  totalFailovers: number;
  conflicts: number;
  services: DashboardService[];
  tools: DashboardTool[];
  definitionChanges: DashboardDefinitionChange[];
}

/**
 * Calls/s from deltas of each service's request total. A sample closer than `minWindowMs` to the
 * previous one keeps the previous rates: snapshots pushed on registry changes can come milliseconds
 * apart, and dividing by such a tiny window would show wild spikes.
 */
export class RateTracker {
  private last: { at: number; totals: Map<string, number> } | undefined;
  private rates = new Map<string, number>();

  constructor(private readonly minWindowMs = 500) {}

  sample(totals: ReadonlyMap<string, number>, nowMs: number): ReadonlyMap<string, number> {
    if (!this.last) {
      this.last = { at: nowMs, totals: new Map(totals) };
      return this.rates;
    }
    const elapsed = nowMs - this.last.at;
    if (elapsed < this.minWindowMs) return this.rates;
    const rates = new Map<string, number>();
    for (const [name, total] of totals) {
      const before = this.last.totals.get(name);
      // A service new since the last sample has no baseline yet; a counter that went down was reset.
      rates.set(name, before === undefined || total < before ? 0 : ((total - before) * 1000) / elapsed);
    }
    this.rates = rates;
    this.last = { at: nowMs, totals: new Map(totals) };
    return rates;
  }
}

export function buildDashboardSnapshot(gateway: Gateway, rates: RateTracker, nowMs: number): DashboardSnapshot {
  const entries = gateway.router.registry.all();
  const callsPerSecond = rates.sample(new Map(entries.map((e) => [e.name, e.stats.total])), nowMs);
  const catalog = gateway.catalog();
  // One report per snapshot: it computes every service's percentiles, which are worth reusing.
  const perf = gateway.router.getPerformanceReport();
  return {
    at: Date.now(),
    sessions: gateway.sessionCount,
    modernRequestsInFlight: gateway.modernRequestsInFlight,
    totalFailovers: perf.totalFailovers,
    conflicts: catalog.conflicts.length,
    services: entries.map((e) => ({
      name: e.name,
      source: e.descriptor.source,
      transport: e.descriptor.transport,
      status: e.status,
      breaker: e.breaker,
      inFlight: e.stats.inFlight,
      totalRequests: e.stats.total,
      failedRequests: e.stats.failures,
      callsPerSecond: round(callsPerSecond.get(e.name) ?? 0),
      p50Ms: round((perf.services[e.name]?.p50Latency ?? 0) * 1000),
      p99Ms: round((perf.services[e.name]?.p99Latency ?? 0) * 1000),
      errorRate: e.stats.total === 0 ? 0 : round(e.stats.failures / e.stats.total),
      ...(e.health.lastError ? { lastError: e.health.lastError } : {}),
    })),
    tools: [...catalog.tools.values()].map((t) => ({ name: t.name, members: [...t.members] })).sort((a, b) => a.name.localeCompare(b.name)),
    definitionChanges: Object.entries(gateway.pins?.pending() ?? {})
      .map(([key, p]) => ({ key, action: gateway.pins!.action, seenAt: p.at }))
      .sort((a, b) => a.key.localeCompare(b.key)),
  };
}

/** Three decimals are plenty on screen and keep each snapshot small. */
function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
