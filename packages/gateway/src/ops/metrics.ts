// Gateway request metrics in Prometheus text format: requests, errors and a latency histogram per
// (method, service, tool, client era), failovers per tool, plus registry state (breakers, health,
// discovered).
import type { Router } from '@switchboard/core';

/**
 * Request series held at most. Their labels come from the catalog (tools, prompts, resource URIs
 * or templates) and the services discovered, so this is a backstop: past it, a new label set is
 * counted under tool="(other)" rather than growing the map (and every scrape) without end.
 */
export const MAX_REQUEST_SERIES = 10_000;
export const OTHER_TOOL = '(other)';

/** Latency buckets in seconds: loopback calls are sub-millisecond, real tools take seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Series {
  labels: string;
  requests: number;
  errors: number;
  sumSeconds: number;
  buckets: number[];
}

export interface RequestSample {
  method: string;
  /** '' when no service was reached. */
  service: string;
  /** Tool, prompt or resource name ('' for none). */
  tool: string;
  latencyMs: number;
  ok: boolean;
  failovers: number;
  /** The client's protocol era: '2025' (initialize, a session) or '2026' (2026-07-28, stateless). */
  era: '2025' | '2026';
}

export class GatewayMetrics {
  private readonly series = new Map<string, Series>();
  private readonly failovers = new Map<string, number>();
  /** Sessions opened here: by an initialize, or resumed from a token another instance issued. */
  private readonly opened = { initialize: 0, resume: 0 };
  /** Idle sessions ended to make room for a new one, by the cap that was reached. */
  private readonly evicted = { maxSessions: 0, maxSessionsPerClient: 0 };

  /** service\0kind → messages from shared upstreams dropped because no session could be named. */
  private readonly dropped = new Map<string, number>();

  /** upstream/tool\0action → tool definition changes seen. */
  private readonly definitionChanges = new Map<string, number>();
  /** Calls refused by policy or a rate limit. */
  private readonly refusals = { policy: 0, rate_limit: 0 };

  definitionChanged(key: string, action: 'block' | 'warn' | 'accept'): void {
    const k = `${key}\0${action}`;
    this.definitionChanges.set(k, (this.definitionChanges.get(k) ?? 0) + 1);
  }

  accessRefused(reason: 'policy' | 'rate_limit'): void {
    this.refusals[reason]++;
  }

  sessionEvicted(cap: 'maxSessions' | 'maxSessionsPerClient'): void {
    this.evicted[cap]++;
  }

  sessionOpened(how: 'initialize' | 'resume'): void {
    this.opened[how]++;
  }

  unattributed(service: string, kind: 'log' | 'request'): void {
    const key = `${service}\0${kind}`;
    this.dropped.set(key, (this.dropped.get(key) ?? 0) + 1);
  }

  record(sample: RequestSample): void {
    let labels = `method="${esc(sample.method)}",service="${esc(sample.service)}",tool="${esc(sample.tool)}",era="${sample.era}"`;
    if (this.series.size >= MAX_REQUEST_SERIES && !this.series.has(labels)) labels = `method="${esc(sample.method)}",service="${esc(sample.service)}",tool="${OTHER_TOOL}",era="${sample.era}"`;
    let s = this.series.get(labels);
    if (!s) this.series.set(labels, (s = { labels, requests: 0, errors: 0, sumSeconds: 0, buckets: new Array<number>(BUCKETS.length).fill(0) }));
    s.requests++;
    if (!sample.ok) s.errors++;
    const seconds = sample.latencyMs / 1000;
    s.sumSeconds += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) s.buckets[i]!++;
    if (sample.failovers > 0 && (this.failovers.size < MAX_REQUEST_SERIES || this.failovers.has(sample.tool))) this.failovers.set(sample.tool, (this.failovers.get(sample.tool) ?? 0) + sample.failovers);
  }

  render(router: Router, sessions: number, modernRequestsInFlight = 0): string {
    const out: string[] = [];
    out.push('# HELP switchboard_gateway_requests_total Requests the gateway routed to upstreams.', '# TYPE switchboard_gateway_requests_total counter');
    for (const s of this.series.values()) out.push(`switchboard_gateway_requests_total{${s.labels}} ${s.requests}`);
    out.push('# HELP switchboard_gateway_errors_total Routed requests that ended in an error.', '# TYPE switchboard_gateway_errors_total counter');
    for (const s of this.series.values()) out.push(`switchboard_gateway_errors_total{${s.labels}} ${s.errors}`);
    out.push('# HELP switchboard_gateway_request_duration_seconds Latency of routed requests, failover included.', '# TYPE switchboard_gateway_request_duration_seconds histogram');
    for (const s of this.series.values()) {
      BUCKETS.forEach((b, i) => out.push(`switchboard_gateway_request_duration_seconds_bucket{${s.labels},le="${b}"} ${s.buckets[i]}`));
      out.push(`switchboard_gateway_request_duration_seconds_bucket{${s.labels},le="+Inf"} ${s.requests}`);
      out.push(`switchboard_gateway_request_duration_seconds_sum{${s.labels}} ${s.sumSeconds}`);
      out.push(`switchboard_gateway_request_duration_seconds_count{${s.labels}} ${s.requests}`);
    }
    out.push('# HELP switchboard_gateway_failovers_total Attempts moved to another service.', '# TYPE switchboard_gateway_failovers_total counter');
    for (const [tool, n] of this.failovers) out.push(`switchboard_gateway_failovers_total{tool="${esc(tool)}"} ${n}`);
    out.push('# HELP switchboard_router_failovers_total Failovers counted by the router.', '# TYPE switchboard_router_failovers_total counter');
    out.push(`switchboard_router_failovers_total ${router.getPerformanceReport().totalFailovers}`);
    const entries = router.registry.all();
    out.push('# HELP switchboard_services_discovered Services in the registry.', '# TYPE switchboard_services_discovered gauge');
    out.push(`switchboard_services_discovered ${entries.length}`);
    out.push('# HELP switchboard_service_healthy 1 when the service is healthy.', '# TYPE switchboard_service_healthy gauge');
    for (const e of entries) out.push(`switchboard_service_healthy{service="${esc(e.name)}"} ${e.status === 'healthy' ? 1 : 0}`);
    out.push('# HELP switchboard_service_breaker_state 1 for the breaker state the service is in.', '# TYPE switchboard_service_breaker_state gauge');
    for (const e of entries) {
      for (const state of ['closed', 'open', 'half-open'] as const) out.push(`switchboard_service_breaker_state{service="${esc(e.name)}",state="${state}"} ${e.breaker === state ? 1 : 0}`);
    }
    out.push('# HELP switchboard_service_in_flight Requests in flight per service.', '# TYPE switchboard_service_in_flight gauge');
    for (const e of entries) out.push(`switchboard_service_in_flight{service="${esc(e.name)}"} ${e.stats.inFlight}`);
    out.push('# HELP switchboard_gateway_sessions Open 2025 client sessions.', '# TYPE switchboard_gateway_sessions gauge');
    out.push(`switchboard_gateway_sessions ${sessions}`);
    // 2026-07-28 clients have no sessions: what they hold open is requests.
    out.push('# HELP switchboard_gateway_modern_requests_in_flight 2026-07-28 requests being served.', '# TYPE switchboard_gateway_modern_requests_in_flight gauge');
    out.push(`switchboard_gateway_modern_requests_in_flight ${modernRequestsInFlight}`);
    out.push('# HELP switchboard_gateway_sessions_opened_total Client sessions opened here, by initialize or resumed from a token another instance (or an earlier state here) issued.', '# TYPE switchboard_gateway_sessions_opened_total counter');
    for (const how of ['initialize', 'resume'] as const) out.push(`switchboard_gateway_sessions_opened_total{how="${how}"} ${this.opened[how]}`);
    out.push('# HELP switchboard_gateway_sessions_evicted_total Idle client sessions ended to make room for a new one, by the cap reached.', '# TYPE switchboard_gateway_sessions_evicted_total counter');
    for (const cap of ['maxSessions', 'maxSessionsPerClient'] as const) out.push(`switchboard_gateway_sessions_evicted_total{cap="${cap}"} ${this.evicted[cap]}`);
    out.push(
      '# HELP switchboard_gateway_unattributed_dropped_total Log messages and server-to-client requests from shared upstreams that named no request and were dropped rather than risk another session.',
      '# TYPE switchboard_gateway_unattributed_dropped_total counter',
    );
    for (const [key, n] of this.dropped) {
      const [service, kind] = key.split('\0') as [string, string];
      out.push(`switchboard_gateway_unattributed_dropped_total{service="${esc(service)}",kind="${kind}"} ${n}`);
    }
    out.push('# HELP switchboard_gateway_access_refused_total Calls refused by the access policy or a rate limit.', '# TYPE switchboard_gateway_access_refused_total counter');
    for (const reason of ['policy', 'rate_limit'] as const) out.push(`switchboard_gateway_access_refused_total{reason="${reason}"} ${this.refusals[reason]}`);
    out.push(
      '# HELP switchboard_gateway_tool_definition_changes_total Upstream tool definitions that changed from their pin, by what was done (block, warn, accept).',
      '# TYPE switchboard_gateway_tool_definition_changes_total counter',
    );
    for (const [key, n] of this.definitionChanges) {
      const [tool, action] = key.split('\0') as [string, string];
      out.push(`switchboard_gateway_tool_definition_changes_total{tool="${esc(tool)}",action="${action}"} ${n}`);
    }
    return out.join('\n') + '\n';
  }
}

function esc(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
