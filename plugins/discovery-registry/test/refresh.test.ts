// Later reads: only what changed since the last good read (`updated_since`), applied as
// added / updated / removed events; and the optional refresh timer.
import { silentLogger } from '@switchboard/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryDiscoverer, registryOptionsSchema, type RegistryOptionsInput } from '../src/index.js';
import { startFakeRegistry, type FakeRegistry } from './fake-registry.js';
import { RecordingSink } from './recording-sink.js';

let registry: FakeRegistry;
const discoverers: RegistryDiscoverer[] = [];

beforeEach(async () => {
  registry = await startFakeRegistry();
});
afterEach(async () => {
  await Promise.all(discoverers.splice(0).map((d) => d.stop()));
  await registry.close();
});

async function discover(options: Partial<RegistryOptionsInput> = {}): Promise<{ sink: RecordingSink; discoverer: RegistryDiscoverer }> {
  const discoverer = new RegistryDiscoverer('registry#0', registryOptionsSchema.parse({ url: registry.url, pageSize: 3, ...options }), silentLogger);
  discoverers.push(discoverer);
  const sink = new RecordingSink();
  await discoverer.start(sink);
  return { sink, discoverer };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('refresh', () => {
  it('asks only for changes since the last successful read', async () => {
    const before = Date.now();
    const { discoverer } = await discover();
    const after = Date.now();
    const firstReadRequests = registry.requests.length;
    expect(registry.requests.every((r) => !r.url.searchParams.has('updated_since'))).toBe(true);

    await discoverer.refresh();
    const refresh = registry.requests.slice(firstReadRequests);
    expect(refresh).toHaveLength(1); // nothing changed: one empty page
    const since = refresh[0]!.url.searchParams.get('updated_since');
    // RFC 3339 (UTC), taken when the first read began.
    expect(since).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(Date.parse(since!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(since!)).toBeLessThanOrEqual(after);
    expect(refresh[0]!.url.searchParams.get('version')).toBe('latest');
    expect(refresh[0]!.url.searchParams.get('limit')).toBe('3');
  });

  it('applies a new server, a new version and a deletion', async () => {
    const { sink, discoverer } = await discover();
    sink.takeEvents();
    const readsBefore = registry.requests.length;

    registry.publish({
      name: 'com.example/analytics',
      description: 'Real-time business intelligence, now with forecasts',
      version: '2.1.0',
      remotes: [{ type: 'streamable-http', url: 'https://analytics.example.com/v2/mcp' }],
    });
    registry.setStatus('io.github.acme/calendar', 'deleted');
    registry.publish({
      name: 'org.newco/translate',
      description: 'Translation between 40 languages',
      version: '1.0.0',
      remotes: [{ type: 'streamable-http', url: 'https://translate.newco.org/mcp' }],
    });
    const refreshedAt = Date.now();
    await discoverer.refresh();

    const since = registry.requests[readsBefore]?.url.searchParams.get('updated_since');
    expect(since).toBeTruthy();
    const changes = sink.takeEvents().map((e) => (e.type === 'removed' ? `removed ${e.name}` : `${e.type} ${e.service.name}`));
    expect(changes.sort()).toEqual([
      // One remote now, so the name loses its suffix: the two old services go, one comes.
      'added com.example/analytics',
      'added org.newco/translate',
      'removed com.example/analytics#http',
      'removed com.example/analytics#sse',
      'removed io.github.acme/calendar',
    ]);
    expect(sink.services.get('com.example/analytics')).toMatchObject({
      url: 'https://analytics.example.com/v2/mcp',
      metadata: { version: '2.1.0', description: 'Real-time business intelligence, now with forecasts' },
    });
    // Servers that did not change are untouched.
    expect(sink.names()).toEqual(['com.example/analytics', 'dev.region/maps', 'io.github.acme/weather', 'org.newco/translate']);

    // The next refresh starts from this one.
    const readsAfter = registry.requests.length;
    await discoverer.refresh();
    const next = registry.requests[readsAfter]?.url.searchParams.get('updated_since');
    expect(Date.parse(next!)).toBeGreaterThanOrEqual(refreshedAt);
    expect(sink.takeEvents()).toEqual([]);
  });

  it('emits updated for a changed remote that keeps its name', async () => {
    const { sink, discoverer } = await discover();
    sink.takeEvents();
    registry.publish({ name: 'io.github.acme/weather', description: 'Weather', version: '1.5.0', remotes: [{ type: 'streamable-http', url: 'https://weather.acme.dev/v2/mcp' }] });
    await discoverer.refresh();
    const events = sink.takeEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'updated', service: { name: 'io.github.acme/weather', url: 'https://weather.acme.dev/v2/mcp' } });
  });

  it('removes a server that becomes deprecated, unless deprecated ones are included', async () => {
    const excluded = await discover();
    const included = await discover({ includeDeprecated: true });
    excluded.sink.takeEvents();
    included.sink.takeEvents();
    registry.setStatus('dev.region/maps', 'deprecated');
    await excluded.discoverer.refresh();
    await included.discoverer.refresh();
    expect(excluded.sink.takeEvents()).toEqual([{ type: 'removed', name: 'dev.region/maps', source: 'registry#0' }]);
    expect(included.sink.takeEvents()).toMatchObject([{ type: 'updated', service: { name: 'dev.region/maps', metadata: { status: 'deprecated' } } }]);
  });

  it('concurrent refreshes share one read', async () => {
    const { discoverer } = await discover();
    const before = registry.requests.length;
    await Promise.all([discoverer.refresh(), discoverer.refresh(), discoverer.refresh()]);
    expect(registry.requests.length - before).toBe(1);
  });

  it('re-reads on refreshIntervalMs until stopped', async () => {
    const { sink, discoverer } = await discover({ refreshIntervalMs: 20 });
    sink.takeEvents();
    registry.publish({ name: 'org.newco/ocr', description: 'OCR', version: '0.1.0', remotes: [{ type: 'sse', url: 'https://ocr.newco.org/sse' }] });
    await until(() => sink.services.has('org.newco/ocr'), 'the timer to pick up the new server');
    await discoverer.stop();
    const after = registry.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(registry.requests.length).toBe(after);
  });

  it('emits nothing after stop()', async () => {
    const { sink, discoverer } = await discover();
    sink.takeEvents();
    registry.publish({ name: 'org.newco/late', description: 'Late', version: '1.0.0', remotes: [{ type: 'sse', url: 'https://late.newco.org/sse' }] });
    await discoverer.stop();
    await discoverer.refresh();
    expect(sink.takeEvents()).toEqual([]);
  });
});
