// The four contracts plugins implement. Core depends only on these; a plugin depends only on core.
import type { ServiceDescriptor } from './descriptor.js';
import type { MessageTransport } from './jsonrpc.js';
import type { Logger } from './logger.js';

/** The link a transport plugin builds (kept under its former name for plugins written against it). */
export type McpTransport = MessageTransport;

// ── Discovery ────────────────────────────────────────────────────────────────────────────────

export type ServiceEvent =
  | { readonly type: 'added' | 'updated'; readonly service: ServiceDescriptor }
  | { readonly type: 'removed'; readonly name: string; readonly source: string };

export interface DiscoverySink {
  /** Report a change. Cheap and synchronous: the registry applies it at once. */
  emit(event: ServiceEvent): void;
  /** Report a problem that did not stop the discoverer (a bad record, a lost connection). */
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface Discoverer {
  /** Instance id, for example `static#0`; also the `source` of what it reports. */
  readonly id: string;
  /** Begin discovering. Resolves once the first full view has been reported (or timed out). */
  start(sink: DiscoverySink): Promise<void>;
  /** Look again now (re-query, re-read). Optional: push-based discoverers need not. */
  refresh?(): Promise<void>;
  /**
   * Take new options (already validated by the plugin's schema) without stopping, reporting the
   * difference as events: a config reload applies discovery changes live through this. Optional.
   */
  reconfigure?(options: unknown): Promise<void>;
  /** Stop and release every socket, timer and watch. No event may be emitted after it resolves. */
  stop(): Promise<void>;
}

// ── Strategy ─────────────────────────────────────────────────────────────────────────────────

/** Per-service numbers a strategy may read. Kept by core; never copied on the hot path. */
export interface ServiceStatsView {
  readonly inFlight: number;
  readonly total: number;
  readonly successes: number;
  readonly failures: number;
  /** Success share over all calls; 1 before the first call. */
  readonly successRate: number;
  /** Mean latency in ms over all calls (0 before the first). */
  readonly averageLatencyMs: number;
  /** Peak-EWMA latency in ms, decayed to `now` (0 when never measured). */
  ewmaLatencyMs(now: number): number;
}

export interface Candidate {
  readonly name: string;
  readonly descriptor: ServiceDescriptor;
  readonly stats: ServiceStatsView;
}

export interface SelectContext {
  readonly toolName?: string;
  readonly requestType?: string;
  /** Uniform in [0, 1). Injected so tests can make choices reproducible. */
  random(): number;
  /** Monotonic milliseconds. */
  now(): number;
}

export interface Strategy {
  readonly name: string;
  /**
   * Pick one of `candidates` (all healthy and eligible, in priority order), or undefined when the
   * list is empty. Synchronous and allocation-free: it runs on every request.
   */
  select(candidates: readonly Candidate[], context: SelectContext): Candidate | undefined;
}

// ── Transport ────────────────────────────────────────────────────────────────────────────────

export interface TransportContext {
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /**
   * Extra headers for each outgoing HTTP request, read at send time (for example a tracing
   * `traceparent` for the call being made). Transports without headers ignore it.
   */
  readonly requestHeaders?: () => Record<string, string> | undefined;
}

/**
 * What a transport can say about why its link ended, for the error an operator reads: a process's
 * exit code or signal and its last stderr lines ("boom: missing API_KEY"), where "Connection
 * closed" alone would send them hunting.
 */
export interface LinkEnd {
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  /** The last few stderr lines, oldest first, each cut to a readable length. */
  readonly stderrTail?: readonly string[];
}

/** An MCP transport that can report how its link ended (optional for transport plugins). */
export interface ReportsLinkEnd {
  linkEnd(): LinkEnd | undefined;
}

export function reportsLinkEnd(transport: unknown): transport is ReportsLinkEnd {
  return typeof (transport as Partial<ReportsLinkEnd> | null)?.linkEnd === 'function';
}

/** A LinkEnd as words: "the process exited with code 3 <when>; last stderr: boom: missing API_KEY". */
export function describeLinkEnd(end: LinkEnd, when?: string): string {
  const how = end.signal ? `was killed by ${end.signal}` : end.exitCode !== undefined && end.exitCode !== null ? `exited with code ${end.exitCode}` : 'closed its output';
  const tail = end.stderrTail && end.stderrTail.length > 0 ? `; last stderr: ${end.stderrTail.join(' | ')}` : '';
  return `the process ${how}${when ? ` ${when}` : ''}${tail}`;
}

export interface Transport {
  /** The `transport` values of server entries this plugin serves, for example ['http', 'sse']. */
  readonly kinds: readonly string[];
  /**
   * True when one server endpoint serves many independent MCP sessions (HTTP, WebSocket: each
   * connect is a new session on a server that is already running), so the gateway gives every
   * client session its own upstream session. False or absent when a connect starts something of
   * its own (stdio spawns a process): connections are shared unless the operator asks for
   * `isolation: per-session`.
   */
  readonly multiplexesSessions?: boolean;
  /** Build an unstarted link to one upstream. The pool connects, reconnects and closes it. */
  connect(service: ServiceDescriptor, context: TransportContext): Promise<MessageTransport>;
}

// ── Health ───────────────────────────────────────────────────────────────────────────────────

export interface HealthTarget {
  readonly service: ServiceDescriptor;
  /**
   * An MCP `ping` to this service over its shared connection (connecting first if needed);
   * resolves on the answer, rejects on failure or when `signal` aborts.
   */
  ping(signal: AbortSignal): Promise<void>;
}

export interface HealthResult {
  readonly healthy: boolean;
  readonly latencyMs: number;
  readonly detail?: string;
}

export interface HealthChecker {
  readonly name: string;
  check(target: HealthTarget, signal: AbortSignal): Promise<HealthResult>;
}
