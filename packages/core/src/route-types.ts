// The shapes of the router API, matching the pattern document (camelCased).
import { type CallToolResult } from './sdk/mcp.js';

export interface RouteRequest {
  /** The MCP tool to call. Its name counts as a required capability. */
  toolName: string;
  arguments?: Record<string, unknown>;
  /** Every one must be offered by the chosen service (config/advertised capabilities or tool names). */
  requiredCapabilities?: readonly string[];
  /** Preferred capability: services having it are chosen first when any of the eligible ones do. */
  requestType?: string;
  /** Abort the call (and cancel it upstream). */
  signal?: AbortSignal;
}

export interface RoutingMetadata {
  selectedService?: string;
  routingStrategy: string;
  /** Other eligible services that could have been chosen. */
  alternativesAvailable: number;
  discoveryAgeSeconds: number;
  /** True when no eligible service was healthy and unhealthy ones were tried as a last resort. */
  panic?: boolean;
  /** True when the answer came from a hedged second attempt (see failover.hedging). */
  hedged?: boolean;
}

export interface RouteResult {
  /** The call reached a service and the tool did not report an error. */
  success: boolean;
  /** The tool's result (also present for a tool that reported `isError`). */
  result?: CallToolResult;
  /** Seconds from routeRequest() to its answer, failovers included. */
  latency: number;
  serviceUsed?: string;
  failoverAttempts: number;
  /** The first service that failed, when the call failed over. */
  primaryServiceFailed?: string;
  error?: string;
  errorCode?: string;
  /** Each failed attempt, in order. */
  attempts?: Array<{ service: string; errorCode: string; error: string }>;
  routingMetadata: RoutingMetadata;
}

export interface ServiceHealthReport {
  /** Routable: status is 'healthy', or 'unknown' (not checked yet). */
  healthy: boolean;
  /** Health checks and breaker together, the same everywhere (see ServiceEntry.status). */
  status: 'unknown' | 'healthy' | 'unhealthy' | 'ejected';
  /** What the health checks alone say. */
  healthCheck: 'unknown' | 'healthy' | 'unhealthy';
  successRate: number;
  totalRequests: number;
  /** Seconds. */
  averageLatency: number;
  inFlight: number;
  breakerState: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  /** Times the breaker ejected this service. */
  ejections: number;
  /** Times the connection was re-established after a drop (a stdio server restarted, a session renewed). */
  restarts: number;
  lastError?: string;
  lastCheckAt?: string;
  source: string;
  transport: string;
  /** The protocol era of its connection ('2025': initialize and sessions; '2026': 2026-07-28, stateless), once connected. */
  era?: '2025' | '2026';
  /** The revision agreed with it (for example 2025-11-25 or 2026-07-28), once connected. */
  protocolVersion?: string;
}

export interface ServicePerformance {
  totalRequests: number;
  successfulRequests: number;
  failedRequests: number;
  /** Seconds (the pattern's unit). */
  averageLatency: number;
  ewmaLatency: number;
  p50Latency: number;
  p99Latency: number;
  inFlight: number;
}

export interface PerformanceReport {
  services: Record<string, ServicePerformance>;
  totalRoutingDecisions: number;
  totalFailovers: number;
  /** Second attempts sent because the first had not answered within the hedging delay. */
  totalHedges: number;
  discoveryAgeSeconds: number;
}

export interface ServerInfo {
  name: string;
  transport: string;
  url?: string;
  command?: string;
  capabilities: string[];
  tools: string[];
  healthy: boolean;
  source: string;
  metadata: Record<string, unknown>;
}
