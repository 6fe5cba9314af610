// The built-in W3C Trace Context writer: exact header format, and nothing without a valid span.
import * as api from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { w3cTraceContextPropagator } from '../src/trace-context.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

function inject(spanContext?: api.SpanContext): Record<string, string> {
  const ctx = spanContext ? api.trace.setSpanContext(api.ROOT_CONTEXT, spanContext) : api.ROOT_CONTEXT;
  const carrier: Record<string, string> = {};
  w3cTraceContextPropagator(api).inject(ctx, carrier, api.defaultTextMapSetter);
  return carrier;
}

describe('w3cTraceContextPropagator', () => {
  it('writes traceparent with the sampled flag, and tracestate when there is one', () => {
    expect(inject({ traceId, spanId, traceFlags: api.TraceFlags.SAMPLED })).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
    const traceState = api.createTraceState('vendor=abc,other=1');
    expect(inject({ traceId, spanId, traceFlags: api.TraceFlags.NONE, traceState })).toEqual({
      traceparent: `00-${traceId}-${spanId}-00`,
      tracestate: 'vendor=abc,other=1',
    });
  });

  it('writes nothing outside a span or for an invalid span context', () => {
    expect(inject()).toEqual({});
    expect(inject({ traceId: '0'.repeat(32), spanId, traceFlags: 1 })).toEqual({});
  });
});
