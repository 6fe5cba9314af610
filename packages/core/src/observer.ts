// Hooks for observability (tracing, metrics, logs) around routing, so an OpenTelemetry package or
// a custom metrics sink plugs in without core depending on either.
export interface RoutedCallInfo {
  /** 'tools/call' for routeRequest; the gateway passes its own method names. */
  readonly operation: string;
  readonly toolName?: string;
  readonly strategy: string;
  readonly requestId: string;
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
  /** Headers to add to outgoing upstream HTTP requests made in the current async context (traceparent). */
  outgoingHeaders?(): Record<string, string> | undefined;
}
