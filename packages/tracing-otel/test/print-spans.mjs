// Preloaded with `node --import` in a test: registers an OpenTelemetry SDK the way an operator's
// setup file would, and prints every finished span as a JSON line on stderr.
import { trace, context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

const exporter = {
  export(spans, done) {
    for (const s of spans) process.stderr.write(`SPAN ${JSON.stringify({ name: s.name, attributes: s.attributes, traceId: s.spanContext().traceId })}\n`);
    done({ code: 0 });
  },
  shutdown: async () => undefined,
};
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
