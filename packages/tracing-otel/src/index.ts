// @switchboard/tracing-otel: OpenTelemetry spans for routed calls and W3C trace context for upstreams.
export { otelObserver, TRACER_NAME, type OtelObserverOptions } from './otel-observer.js';
export { otelAuditExporter, AUDIT_LOGGER_NAME, OTEL_LOGS_PACKAGE } from './audit-logs.js';
