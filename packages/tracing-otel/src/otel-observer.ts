// A RouteObserver that records each routed call as an OpenTelemetry span and sends its context to
// HTTP upstreams, so a trace continues from the caller through Switchboard into the MCP server.
import type { Attributes, Histogram, MeterProvider, Span, TextMapPropagator, Tracer, TracerProvider } from '@opentelemetry/api';
import type { AttemptInfo, RoutedCallInfo, RoutedInfo, RouteObserver } from '@switchboard/core';
import { loadOtelApi } from './load-api.js';
import { w3cTraceContextPropagator } from './trace-context.js';

export interface OtelObserverOptions {
  /** Tracer that records the spans (default: one from `tracerProvider`). */
  tracer?: Tracer;
  /** Provider to get the tracer from (default: the globally registered one, e.g. by NodeSDK). */
  tracerProvider?: TracerProvider;
  /**
   * How the active context is written into upstream request headers (default: W3C Trace Context,
   * `traceparent` and `tracestate`). Pass `propagation` from @opentelemetry/api to use the
   * globally configured propagator instead (baggage, B3, ...).
   */
  propagator?: TextMapPropagator;
  /**
   * Provider of the meter that records `mcp.server.operation.duration` (each routed call, failover
   * included) and `mcp.client.operation.duration` (each upstream attempt), as the OpenTelemetry MCP
   * semantic conventions name them (default: the globally registered one; none registered: no-ops).
   */
  meterProvider?: MeterProvider;
}

/** The MCP semantic conventions' advised buckets for operation durations, in seconds. */
export const MCP_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** Instrumentation scope name of the spans. */
export const TRACER_NAME = '@switchboard/tracing-otel';

/**
 * Trace every call a router routes. Tracing is off unless this is passed to the router:
 * `createRouter(config, { observers: [otelObserver()] })`. Use one observer per router: spans are
 * matched to attempts and results by request id, which is unique within one router.
 */
export function otelObserver(options: OtelObserverOptions = {}): RouteObserver {
  const api = loadOtelApi();
  const tracer = options.tracer ?? (options.tracerProvider ?? api.trace).getTracer(TRACER_NAME);
  const propagator = options.propagator ?? w3cTraceContextPropagator(api);
  // Found by request id rather than from the active context: onRouted runs after the span's
  // context has been left, and this works even when no context manager is registered.
  const open = new Map<string, Span>();
  const meter = (options.meterProvider ?? api.metrics).getMeter(TRACER_NAME);
  const histogram = (name: string, description: string): Histogram =>
    meter.createHistogram(name, { unit: 's', description, advice: { explicitBucketBoundaries: MCP_DURATION_BUCKETS } });
  const served = histogram('mcp.server.operation.duration', 'Duration of an MCP request Switchboard served, all attempts included');
  const called = histogram('mcp.client.operation.duration', 'Duration of one MCP request Switchboard sent to an upstream');
  /** The attributes a call's histograms share, kept from around() to its attempts and its end. */
  const metricAttributes = new Map<string, Attributes>();

  return {
    around<T>(info: RoutedCallInfo, run: () => Promise<T>): Promise<T> {
      const attributes = startAttributes(info);
      metricAttributes.set(info.requestId, durationAttributes(info));
      // A client's trace continues through the gateway: its context (from the request's `_meta`
      // or headers) is the parent, unless a span is already active here.
      const active = api.context.active();
      const parent = info.parent && !api.trace.getSpanContext(active) ? propagator.extract(active, info.parent, api.defaultTextMapGetter) : active;
      return tracer.startActiveSpan(spanName(info), { kind: api.SpanKind.CLIENT, attributes }, parent, async (span) => {
        open.set(info.requestId, span);
        try {
          return await run();
        } catch (error) {
          // The router reports failures in its outcome and calls onRouted; a throw here is a bug,
          // and the span must still end rather than leak.
          open.delete(info.requestId);
          metricAttributes.delete(info.requestId);
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          span.end();
          throw error;
        }
      });
    },

    onAttempt(info: AttemptInfo): void {
      open.get(info.requestId)?.addEvent('switchboard.attempt', attemptAttributes(info));
      const base = metricAttributes.get(info.requestId) ?? durationAttributes(info);
      called.record(info.latencyMs / 1000, { ...base, 'switchboard.service': info.service, ...(info.errorCode !== undefined ? { 'error.type': info.errorCode } : {}) });
    },

    onRouted(info: RoutedInfo): void {
      const base = metricAttributes.get(info.requestId) ?? durationAttributes(info);
      metricAttributes.delete(info.requestId);
      served.record(info.latencyMs / 1000, { ...base, ...(info.errorCode !== undefined ? { 'error.type': info.errorCode } : {}) });
      const span = open.get(info.requestId);
      if (!span) return;
      open.delete(info.requestId);
      span.setAttributes(endAttributes(info));
      if (!info.ok) span.setStatus({ code: api.SpanStatusCode.ERROR, ...(info.errorCode ? { message: info.errorCode } : {}) });
      span.end();
    },

    outgoingHeaders(): Record<string, string> | undefined {
      const carrier: Record<string, string> = {};
      propagator.inject(api.context.active(), carrier, api.defaultTextMapSetter);
      // Requests outside any span (the handshake at start-up) get no headers at all.
      return Object.keys(carrier).length > 0 ? carrier : undefined;
    },
  };
}

/**
 * `{mcp.method.name} {target}`, as the OpenTelemetry MCP semantic conventions name spans:
 * `tools/call web_search`, `resources/read file:///a`; the method alone when there is no target.
 */
export function spanName(info: RoutedCallInfo): string {
  const target = info.target ?? info.toolName;
  return target === undefined ? info.operation : `${info.operation} ${target}`;
}

function startAttributes(info: RoutedCallInfo): Attributes {
  return {
    'switchboard.operation': info.operation,
    'switchboard.strategy': info.strategy,
    'switchboard.request_id': info.requestId,
    // The MCP semantic conventions' names, so generic MCP dashboards pick these spans up too.
    'mcp.method.name': info.operation,
    ...(info.toolName !== undefined ? { 'switchboard.tool': info.toolName } : {}),
    ...(info.toolName !== undefined && info.operation === 'tools/call' ? { 'gen_ai.tool.name': info.toolName } : {}),
    ...(info.operation === 'prompts/get' && info.target !== undefined ? { 'gen_ai.prompt.name': info.target } : {}),
    ...(info.operation === 'resources/read' && info.target !== undefined ? { 'mcp.resource.uri': info.target } : {}),
    ...(info.protocolVersion !== undefined ? { 'mcp.protocol.version': info.protocolVersion } : {}),
    ...(info.jsonrpcRequestId !== undefined ? { 'jsonrpc.request.id': String(info.jsonrpcRequestId) } : {}),
  };
}

/** Low-cardinality attributes for the duration histograms (no request ids). */
function durationAttributes(info: RoutedCallInfo): Attributes {
  return {
    'mcp.method.name': info.operation,
    ...(info.toolName !== undefined && info.operation === 'tools/call' ? { 'gen_ai.tool.name': info.toolName } : {}),
    ...(info.operation === 'prompts/get' && info.target !== undefined ? { 'gen_ai.prompt.name': info.target } : {}),
    ...(info.protocolVersion !== undefined ? { 'mcp.protocol.version': info.protocolVersion } : {}),
  };
}

function attemptAttributes(info: AttemptInfo): Attributes {
  return {
    'switchboard.service': info.service,
    'switchboard.attempt': info.attempt,
    'switchboard.ok': info.ok,
    'switchboard.latency_ms': info.latencyMs,
    ...(info.errorCode !== undefined ? { 'switchboard.error_code': info.errorCode } : {}),
  };
}

function endAttributes(info: RoutedInfo): Attributes {
  return {
    'switchboard.failover_attempts': info.failoverAttempts,
    ...(info.service !== undefined ? { 'switchboard.service': info.service } : {}),
    ...(info.errorCode !== undefined ? { 'switchboard.error_code': info.errorCode, 'error.type': info.errorCode } : {}),
  };
}
