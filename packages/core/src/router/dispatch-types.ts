// What the dispatcher is asked to route and what it answers: the contract between the gateway (or
// the router's own pattern API) and the failover loop.
import type { Client } from '../sdk/mcp.js';
import type { SwitchboardError } from '../errors.js';
import type { ServiceEntry } from '../registry.js';
import type { TraceCarrier } from '../observer.js';
import type { CallCancellation, CancelSignal } from '../cancel-signal.js';

/** What to route: the tool (if any) and capabilities a service must have. */
export interface DispatchTarget {
  toolName?: string;
  requiredCapabilities?: readonly string[];
  requestType?: string;
  /** The caller's cancellation: an AbortSignal, or a CallCancellation (cheaper to make per call). */
  signal?: CancelSignal;
  /**
   * Where the chosen service's client comes from (default: the router's shared pool). The gateway
   * passes its per-client-session upstream sessions here and keeps the router's selection,
   * breakers, stats and failover.
   */
  client?: (entry: ServiceEntry) => Promise<Client>;
  /**
   * Start afresh the session `client` gave for a service: its server forgot it (restarted) or the
   * link is gone. The dispatcher calls this, and then retries once when the call provably did not
   * run; it is the one place a lost session is renewed. Default (the shared pool): the pool's own.
   */
  renew?: (entry: ServiceEntry, why: 'forgotten' | 'lost') => void;
  /**
   * The operation may be repeated safely after it reached a server (reads such as resources/read).
   * Default for tool calls: the tool's readOnlyHint/idempotentHint, or failover.retryableTools.
   */
  idempotent?: boolean;
  /**
   * Only these services may be chosen (a replica set, or the owners of a resource). The strategy,
   * breakers, stats and failover still apply within them.
   */
  services?: ReadonlySet<string>;
  /** Name of the MCP method for observers (default 'tools/call' when toolName is set). */
  operation?: string;
  /** For observers: what the operation is about (tool, prompt, URI), the caller's trace context, revision and request id. */
  target?: string;
  trace?: TraceCarrier;
  protocolVersion?: string;
  jsonrpcRequestId?: string | number;
  /**
   * Whether a safe-to-repeat call may be hedged (default true). Off where a second attempt would
   * be seen by the caller, for example a call whose progress notifications are forwarded.
   */
  hedge?: boolean;
}

export interface AttemptFailure {
  service: string;
  errorCode: string;
  error: string;
}

export interface DispatchOutcome<T> {
  value?: T;
  service?: string;
  error?: SwitchboardError;
  failoverAttempts: number;
  attempts: AttemptFailure[];
  alternativesAvailable: number;
  panic: boolean;
  /** The answer came from a hedged second attempt (the first had not answered in time; it did not fail). */
  hedged?: boolean;
}

/**
 * One attempt's work on a chosen service's client. `signal` aborts when the attempt is cut (its
 * timeout, or the caller cancelled): a CancelSignal for callUpstreamTool, `.signal` for an API that
 * takes only an AbortSignal (made when first read).
 */
export type Operation<T> = (client: Client, entry: ServiceEntry, signal: CallCancellation) => Promise<T>;
