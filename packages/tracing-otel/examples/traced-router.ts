// Tracing a Switchboard router with OpenTelemetry (the sample in docs/observability.md; a test runs
// it). Two things make the trace whole: a context manager, so the routed call's span is active
// while the upstream HTTP request is sent (that is how `traceparent` reaches the upstream), and a
// tracer provider that exports the spans. With @opentelemetry/sdk-node, `new NodeSDK({...}).start()`
// does both, and `otelObserver()` with no options picks up its global provider.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createRouter, type Router, type RouterOptions } from '@switchboard/core';
import { otelObserver } from '@switchboard/tracing-otel';

export interface TracedRouter {
  readonly router: Router;
  readonly provider: BasicTracerProvider;
  /** Close the router, export the last spans, and unregister the context manager. */
  shutdown(): Promise<void>;
}

export function createTracedRouter(config: unknown, exporter: SpanExporter, options: RouterOptions = {}): TracedRouter {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const router = createRouter(config, {
    ...options,
    observers: [...(options.observers ?? []), otelObserver({ tracerProvider: provider })],
  });
  return {
    router,
    provider,
    async shutdown() {
      await router.close();
      await provider.shutdown();
      context.disable();
    },
  };
}
