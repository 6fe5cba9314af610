// What the end-to-end tracing test (test/tracing.test.ts at the repository root) needs from the
// OpenTelemetry packages. They are this package's devDependencies, so they resolve from here and
// not from the root; the root test imports them through this file.
export { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
export { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
export { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
export { createTracedRouter, type TracedRouter } from '../examples/traced-router.js';
export { otelObserver } from '../src/index.js';
export { MeterProvider, MetricReader, DataPointType, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
