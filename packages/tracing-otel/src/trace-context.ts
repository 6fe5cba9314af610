// Writes the W3C Trace Context headers (traceparent, tracestate) for a span context. Built in so
// that propagation works with only @opentelemetry/api installed: the API's own default propagator
// is a no-op until an SDK registers one, and the SDK's W3C propagator lives in @opentelemetry/core,
// which pins a narrower API range than this package needs.
import type { Context, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import type { OtelApi } from './load-api.js';

export function w3cTraceContextPropagator(api: typeof OtelApi): TextMapPropagator {
  return {
    inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
      const span = api.trace.getSpanContext(context);
      if (!span || !api.isSpanContextValid(span)) return;
      // Version 00; the flags byte carries only the sampled bit we know about.
      const flags = (span.traceFlags & api.TraceFlags.SAMPLED).toString(16).padStart(2, '0');
      setter.set(carrier, 'traceparent', `00-${span.traceId}-${span.spanId}-${flags}`);
      const state = span.traceState?.serialize();
      if (state) setter.set(carrier, 'tracestate', state);
    },
    // The router only sends context upstream; reading an incoming traceparent is the gateway's job.
    extract: (context: Context) => context,
    fields: () => ['traceparent', 'tracestate'],
  };
}
