// OpenTelemetry tracing end to end: real calls routed over HTTP on loopback to real upstreams, one of
// them dead to force a failover; the span is read back from an in-memory exporter and the trace id
// is compared with the `traceparent` the live upstream received.
import { readFile } from 'node:fs/promises';
import { createRouter, type Router } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AsyncLocalStorageContextManager,
  BasicTracerProvider,
  context,
  createTracedRouter,
  InMemorySpanExporter,
  otelObserver,
  SimpleSpanProcessor,
  SpanKind,
  SpanStatusCode,
  type ReadableSpan,
  type TracedRouter,
  MeterProvider,
  MetricReader,
  DataPointType,
} from '../packages/tracing-otel/test/otel-harness.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { createGateway, serveHttp } from '@switchboard/gateway';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText } from './helpers/gateway-setup.js';
import { corePlugins } from './helpers/plugins.js';

const open: GatewayFixture[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(open.splice(0).map((f) => f.close()));
  context.disable();
});

/** Two upstreams, `dead` first (first-match picks it), then `dead` stopped once both are known. */
async function upstreams(): Promise<{ dead: GatewayFixture; live: GatewayFixture }> {
  const dead = await startGatewayFixture({ name: 'dead' });
  const live = await startGatewayFixture({ name: 'live' });
  open.push(live);
  return { dead, live };
}

function configFor(...servers: GatewayFixture[]) {
  return {
    discovery: [{ type: 'static', servers: servers.map((s) => ({ name: s.name, url: s.url })) }],
    health: false,
    logLevel: 'silent',
    // whoami may be repeated on another service, so a call that reached the dead one fails over.
    failover: { retryableTools: ['whoami'] },
  };
}

/** A provider that exports each span as it ends, with the async-hooks context manager active. */
function tracing(): { exporter: InMemorySpanExporter; provider: BasicTracerProvider } {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  cleanups.push(() => provider.shutdown());
  return { exporter, provider };
}

async function tracedRouter(config: unknown, provider: BasicTracerProvider): Promise<Router> {
  const router = createRouter(config, { plugins: corePlugins(), observers: [otelObserver({ tracerProvider: provider })] });
  cleanups.push(() => router.close());
  await router.initialize();
  return router;
}

function routedSpans(exporter: InMemorySpanExporter): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@switchboard/tracing-otel');
}

/** traceparent headers the upstream received, parsed. */
function traceparents(fixture: GatewayFixture): { traceId: string; spanId: string; flags: string }[] {
  return fixture.headers
    .map((h) => h.traceparent)
    .filter((v): v is string => typeof v === 'string')
    .map((v) => {
      const [version, traceId, spanId, flags] = v.split('-');
      expect(version).toBe('00');
      return { traceId: traceId!, spanId: spanId!, flags: flags! };
    });
}

describe('otelObserver', () => {
  it('records a failed-over call as one CLIENT span, and the live upstream continues its trace (the docs example)', async () => {
    const { dead, live } = await upstreams();
    const exporter = new InMemorySpanExporter();
    const traced: TracedRouter = createTracedRouter(configFor(dead, live), exporter, { plugins: corePlugins() });
    cleanups.push(() => traced.shutdown());
    await traced.router.initialize();
    await dead.close();

    const r = await traced.router.routeRequest({ toolName: 'whoami' });
    expect(r.serviceUsed).toBe('live');
    await traced.provider.forceFlush(); // the example batches, as production setups do

    const spans = routedSpans(exporter);
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    // Named as the OpenTelemetry MCP semantic conventions name spans: `{mcp.method.name} {target}`.
    expect(span.name).toBe('tools/call whoami');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.instrumentationScope.name).toBe('@switchboard/tracing-otel');
    expect(span.attributes).toMatchObject({
      'switchboard.operation': 'tools/call',
      'switchboard.strategy': 'first-match',
      'switchboard.tool': 'whoami',
      'switchboard.service': 'live',
      'switchboard.failover_attempts': 1,
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'whoami',
    });
    expect(span.attributes['switchboard.request_id']).toEqual(expect.any(String));
    expect(span.attributes['switchboard.error_code']).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.ended).toBe(true);

    const attempts = span.events.filter((e) => e.name === 'switchboard.attempt').map((e) => e.attributes ?? {});
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ 'switchboard.service': 'dead', 'switchboard.attempt': 0, 'switchboard.ok': false });
    expect(attempts[0]!['switchboard.error_code']).toEqual(expect.any(String));
    expect(attempts[1]).toMatchObject({ 'switchboard.service': 'live', 'switchboard.attempt': 1, 'switchboard.ok': true });
    expect(attempts[1]!['switchboard.latency_ms']).toEqual(expect.any(Number));
    expect(attempts[1]!['switchboard.error_code']).toBeUndefined();

    // The tools/call request to `live` carried the span's context: same trace, the span as parent.
    const { traceId, spanId } = span.spanContext();
    expect(traceparents(live)).toContainEqual({ traceId, spanId, flags: '01' });
    // Requests outside a routed call (the handshake at start-up) carry none.
    expect(live.headers.some((h) => h.traceparent === undefined)).toBe(true);
  });

  it('records mcp.server.operation.duration per routed call and mcp.client.operation.duration per upstream attempt', async () => {
    const { dead, live } = await upstreams();
    // A reader collected on demand: what an exporter would be handed.
    class OnDemandReader extends MetricReader {
      protected async onForceFlush(): Promise<void> {}
      protected async onShutdown(): Promise<void> {}
    }
    const reader = new OnDemandReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    cleanups.push(() => meterProvider.shutdown());
    const router = createRouter(configFor(dead, live), { plugins: corePlugins(), observers: [otelObserver({ meterProvider })] });
    cleanups.push(() => router.close());
    await router.initialize();
    await dead.close();
    expect((await router.routeRequest({ toolName: 'whoami' })).serviceUsed).toBe('live');

    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const histogram = (name: string) => {
      const m = metrics.find((x) => x.descriptor.name === name);
      expect(m, name).toBeDefined();
      expect(m!.descriptor.unit).toBe('s');
      expect(m!.dataPointType).toBe(DataPointType.HISTOGRAM);
      return m!.dataPoints as Array<{ attributes: Record<string, unknown>; value: { count: number; sum?: number } }>;
    };
    const served = histogram('mcp.server.operation.duration');
    expect(served).toHaveLength(1);
    expect(served[0]!.attributes).toEqual({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'whoami' });
    expect(served[0]!.value.count).toBe(1);
    // Two attempts: the dead upstream (with its error type) and the live one.
    const called = histogram('mcp.client.operation.duration');
    expect(called.map((p) => p.attributes['switchboard.service']).sort()).toEqual(['dead', 'live']);
    expect(called.find((p) => p.attributes['switchboard.service'] === 'dead')!.attributes['error.type']).toEqual(expect.any(String));
    expect(called.find((p) => p.attributes['switchboard.service'] === 'live')!.attributes['error.type']).toBeUndefined();
    expect(served[0]!.value.sum!).toBeGreaterThanOrEqual(called.find((p) => p.attributes['switchboard.service'] === 'live')!.value.sum!);
  });

  it('ends a call that failed everywhere with status ERROR and the error code', async () => {
    const { exporter, provider } = tracing();
    const { dead, live } = await upstreams();
    const router = await tracedRouter(configFor(dead, live), provider);
    await dead.close();
    await live.close();
    open.splice(0);

    const r = await router.routeRequest({ toolName: 'whoami' });
    expect(r.success).toBe(false);
    expect(r.errorCode).toEqual(expect.any(String));

    const spans = routedSpans(exporter);
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: r.errorCode });
    expect(span.attributes).toMatchObject({ 'switchboard.error_code': r.errorCode, 'error.type': r.errorCode, 'switchboard.failover_attempts': r.failoverAttempts });
    expect(span.attributes['switchboard.service']).toBeUndefined();
    const attempts = span.events.filter((e) => e.name === 'switchboard.attempt').map((e) => e.attributes ?? {});
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((a) => a['switchboard.ok'] === false)).toBe(true);
  });

  it("nests the routed span under the caller's active span, and the upstream sees the caller's trace", async () => {
    const { exporter, provider } = tracing();
    const { dead, live } = await upstreams();
    open.push(dead);
    const router = await tracedRouter(configFor(dead, live), provider);
    const app = provider.getTracer('app');

    const r = await app.startActiveSpan('handle user request', async (parent) => {
      try {
        return await router.routeRequest({ toolName: 'echo', arguments: { text: 'hi' } });
      } finally {
        parent.end();
      }
    });
    expect(r.success).toBe(true);

    const parent = exporter.getFinishedSpans().find((s) => s.name === 'handle user request')!;
    const [span] = routedSpans(exporter);
    expect(span?.name).toBe('tools/call echo');
    expect(span?.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(span?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    const routedTo = span?.attributes['switchboard.service'];
    const upstream = routedTo === 'live' ? live : dead;
    expect(traceparents(upstream)).toContainEqual({ traceId: parent.spanContext().traceId, spanId: span!.spanContext().spanId, flags: '01' });
  });

  it('is off by default: a router without the observer sends no traceparent, even inside an active span', async () => {
    const { exporter, provider } = tracing();
    const { dead, live } = await upstreams();
    open.push(dead);
    const router = createRouter(configFor(dead, live), { plugins: corePlugins() });
    cleanups.push(() => router.close());
    await router.initialize();

    const r = await provider.getTracer('app').startActiveSpan('outer', async (outer) => {
      try {
        return await router.routeRequest({ toolName: 'whoami' });
      } finally {
        outer.end();
      }
    });
    expect(r.success).toBe(true);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['outer']);
    expect(dead.headers.length + live.headers.length).toBeGreaterThan(0);
    expect([...dead.headers, ...live.headers].some((h) => h.traceparent !== undefined)).toBe(false);
  });
});

describe('docs/observability.md', () => {
  it('shows the tracing example exactly as the file this test runs', async () => {
    const root = new URL('..', import.meta.url);
    const example = await readFile(new URL('packages/tracing-otel/examples/traced-router.ts', root), 'utf8');
    const doc = await readFile(new URL('docs/observability.md', root), 'utf8');
    expect(doc).toContain('```ts\n' + example.trimEnd() + '\n```');
  });

  it("continues a client's trace through the gateway: the _meta traceparent is the span's parent, and the upstream gets the span in _meta and in the header", async () => {
    const { exporter, provider } = tracing();
    const live = await startGatewayFixture({ name: 'live' });
    open.push(live);
    const router = await tracedRouter(configFor(live), provider);
    const gateway = createGateway({ router });
    const served = await serveHttp(gateway, { port: 0 });
    cleanups.push(async () => {
      await served.close();
      await gateway.close();
    });
    const traceId = 'a1'.repeat(16);
    const clientSpan = 'b2'.repeat(8);
    for (const era of ['2026', '2025'] as const) {
      exporter.reset();
      const client = new ModernClient({ name: 'traced', version: '1.0.0' }, era === '2026' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
      await client.connect(new ModernHttpTransport(new URL(served.url)));
      cleanups.push(() => client.close());
      const result = await client.callTool({ name: 'meta', _meta: { traceparent: `00-${traceId}-${clientSpan}-01` } });
      const span = routedSpans(exporter).find((s) => s.name === 'tools/call meta');
      expect(span, era).toBeDefined();
      expect(span!.spanContext().traceId).toBe(traceId);
      expect(span!.parentSpanContext?.spanId).toBe(clientSpan);
      expect(span!.attributes).toMatchObject({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'meta',
        'mcp.protocol.version': era === '2026' ? '2026-07-28' : '2025-11-25',
        'jsonrpc.request.id': expect.any(String),
      });
      // The upstream's parent is the gateway's span, in _meta (both eras) and in the HTTP header.
      const ownSpan = span!.spanContext().spanId;
      expect((JSON.parse(firstText(result)) as { traceparent?: string }).traceparent).toBe(`00-${traceId}-${ownSpan}-01`);
      expect(traceparents(live)).toContainEqual({ traceId, spanId: ownSpan, flags: '01' });
    }
  });
});
