// @switchboard/tracing-otel: OpenTelemetry spans for routed calls and W3C trace context for upstreams.
export { otelObserver, TRACER_NAME, type OtelObserverOptions } from './otel-observer.js';
