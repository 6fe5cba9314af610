// Writes the W3C Trace Context headers (traceparent, tracestate) for a span context. Built in so
// that propagation works with only @opentelemetry/api installed: the API's own default propagator
// is a no-op until an SDK registers one, and the SDK's W3C propagator lives in @opentelemetry/core,
// which pins a narrower API range than this package needs.
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
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
    // The caller's context (the gateway hands it over from the client's `_meta` or headers).
    extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
      const header = getter.get(carrier, 'traceparent');
      const parsed = parseTraceparent(Array.isArray(header) ? header[0] : header);
      if (!parsed) return context;
      const state = getter.get(carrier, 'tracestate');
      const traceState = typeof state === 'string' && state ? api.createTraceState(state) : undefined;
      return api.trace.setSpanContext(context, { ...parsed, isRemote: true, ...(traceState ? { traceState } : {}) });
    },
    fields: () => ['traceparent', 'tracestate'],
  };
}

/** `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, the only version defined; anything else is ignored. */
function parseTraceparent(value: string | undefined): { traceId: string; spanId: string; traceFlags: number } | undefined {
  const m = typeof value === 'string' ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value.trim()) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) };
}
