// Hooks for observability (tracing, metrics, logs) around routing, so an OpenTelemetry package or
// a custom metrics sink plugs in without core depending on either.
/** W3C trace context as MCP carries it: HTTP headers, and (both eras) `params._meta` keys of the same names. */
export interface TraceCarrier {
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly baggage?: string;
}

export interface RoutedCallInfo {
  /** 'tools/call' for routeRequest; the gateway passes its own method names. */
  readonly operation: string;
  readonly toolName?: string;
  /** What the operation is about, for a span name `{operation} {target}`: the tool, prompt or resource. */
  readonly target?: string;
  readonly strategy: string;
  readonly requestId: string;
  /** The caller's trace context (the gateway reads it from the client's request), to continue its trace. */
  readonly parent?: TraceCarrier;
  /** The MCP revision the caller speaks (the gateway's client's). */
  readonly protocolVersion?: string;
  /** The caller's JSON-RPC request id. */
  readonly jsonrpcRequestId?: string | number;
}

export interface AttemptInfo extends RoutedCallInfo {
  readonly service: string;
  readonly attempt: number;
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly errorCode?: string;
}

export interface RoutedInfo extends RoutedCallInfo {
  readonly service?: string;
  readonly ok: boolean;
  readonly failoverAttempts: number;
  readonly latencyMs: number;
  readonly errorCode?: string;
}

export interface RouteObserver {
  /**
   * Wrap one routed operation (all its attempts). Must call `run` once and return its result; what
   * is active in the async context here (a tracing span) is active during the upstream calls.
   */
  around?<T>(info: RoutedCallInfo, run: () => Promise<T>): Promise<T>;
  onAttempt?(info: AttemptInfo): void;
  onRouted?(info: RoutedInfo): void;
  /**
   * Trace context for upstream requests made in the current async context (traceparent,
   * tracestate): sent as HTTP headers, and by the gateway in the request's `_meta` too.
   */
  outgoingHeaders?(): Record<string, string> | undefined;
}
