// The first read against a local registry in the real API format: pages, filters, and the
// descriptors each kind of entry becomes.
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
  const discoverer = new RegistryDiscoverer('registry#0', registryOptionsSchema.parse({ url: registry.url, ...options }), silentLogger);
  discoverers.push(discoverer);
  const sink = new RecordingSink();
  await discoverer.start(sink);
  return { sink, discoverer };
}

describe('first read', () => {
  it('reads every page by cursor, asking for the latest versions', async () => {
    const { sink } = await discover({ pageSize: 4 });
    expect(registry.requests).toHaveLength(2);
    const [first, second] = registry.requests.map((r) => r.url);
    expect(first?.pathname).toBe('/v0.1/servers');
    expect(Object.fromEntries(first!.searchParams)).toEqual({ version: 'latest', limit: '4' });
    // The second page asks for exactly the cursor the first one returned.
    expect(second?.searchParams.get('cursor')).toBe('com.secure/vault:3.2.1');
    expect(second?.searchParams.get('version')).toBe('latest');
    // Entries from both pages are in the catalogue.
    expect(sink.names()).toContain('com.example/analytics#http');
    expect(sink.names()).toContain('io.github.acme/weather');
    expect(sink.events.every((e) => e.type === 'added')).toBe(true);
  });

  it('produces one descriptor per remote, with the registry facts in metadata', async () => {
    const { sink } = await discover({ pageSize: 4 });
    expect(sink.names()).toEqual([
      'com.example/analytics#http',
      'com.example/analytics#sse',
      'dev.region/maps',
      'io.github.acme/calendar',
      'io.github.acme/weather',
    ]);
    expect(sink.services.get('com.example/analytics#http')).toMatchObject({
      transport: 'http',
      url: 'https://analytics.example.com/mcp',
      headers: { 'X-Client': 'switchboard' },
      source: 'registry#0',
      metadata: {
        registry: registry.url,
        registryName: 'com.example/analytics',
        version: '2.0.0',
        description: 'Real-time business intelligence and reporting platform',
        title: 'ACME Analytics',
        status: 'active',
        remoteType: 'streamable-http',
        repository: 'https://github.com/example/analytics-mcp',
      },
    });
    expect(sink.services.get('com.example/analytics#sse')).toMatchObject({ transport: 'sse', url: 'https://analytics.example.com/sse', headers: {} });
    expect(sink.services.get('io.github.acme/calendar')).toMatchObject({ transport: 'sse', url: 'https://calendar.acme.dev/sse' });
    // The latest version (1.4.0, remotes and packages) and not the older 1.3.0.
    expect(sink.services.get('io.github.acme/weather')).toMatchObject({
      transport: 'http',
      url: 'https://weather.acme.dev/mcp',
      metadata: { version: '1.4.0', registryName: 'io.github.acme/weather' },
    });
    // A template variable with a default is filled with it.
    expect(sink.services.get('dev.region/maps')?.url).toBe('https://api.region.dev/us-east-1/mcp');
  });

  it('skips packages-only, deprecated and deleted servers', async () => {
    const { sink } = await discover();
    const names = sink.names().join(' ');
    expect(names).not.toMatch(/filesystem/); // packages only
    expect(names).not.toMatch(/legacy/); // deprecated
    expect(names).not.toMatch(/net\.gone/); // deleted
  });

  it('includes deprecated servers when asked, marked in metadata', async () => {
    const { sink } = await discover({ includeDeprecated: true });
    expect(sink.services.get('com.legacy/search')).toMatchObject({
      url: 'https://search.legacy.example/mcp',
      metadata: { status: 'deprecated', statusMessage: 'Use com.legacy/search-v2' },
    });
  });

  it('skips a deleted entry even from a registry that returns it', async () => {
    // A sub-registry that ignores include_deleted: the item's own status must still be honoured.
    registry.returnsDeleted = true;
    const { sink } = await discover({ search: 'notes' });
    expect(registry.requests).toHaveLength(1);
    expect(sink.names()).toEqual([]);
    expect(sink.events).toEqual([]);
  });

  it('warns once, naming the fix, for remotes whose template or required header cannot be filled', async () => {
    const { sink, discoverer } = await discover();
    const messages = sink.warnings.map((w) => w.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/skipped com\.example\/tenant-mcp: its URL https:\/\/\{tenant_id\}\.tenant\.example\.com\/mcp needs \{tenant_id\}; set inputs\["com\.example\/tenant-mcp"\]\.variables\.tenant_id/),
        expect.stringMatching(/skipped com\.secure\/vault: it requires the header Authorization .*set inputs\["com\.secure\/vault"\]\.headers\["Authorization"\]/),
      ]),
    );
    expect(sink.warnings).toHaveLength(2);
    expect(sink.names().join(' ')).not.toMatch(/tenant|vault/);
    // A refresh that lists the same entry again (it was touched) must not warn again.
    registry.setStatus('com.example/tenant-mcp', 'active');
    await discoverer.refresh();
    expect(registry.requests.at(-1)?.url.searchParams.has('updated_since')).toBe(true);
    expect(sink.warnings).toHaveLength(2);
  });

  it('fills variables and headers from inputs', async () => {
    const { sink } = await discover({
      inputs: {
        'com.example/tenant-mcp': { variables: { tenant_id: 'us-cell1' } },
        'com.secure/vault': { variables: { vault_token: 's3cret' } },
        'com.example/analytics': { headers: { 'x-client': 'override', 'X-Extra': 'yes' } },
      },
    });
    expect(sink.services.get('com.example/tenant-mcp')?.url).toBe('https://us-cell1.tenant.example.com/mcp');
    expect(sink.services.get('com.secure/vault')?.headers).toEqual({ Authorization: 'Bearer s3cret' });
    expect(sink.services.get('com.example/analytics#http')?.headers).toEqual({ 'x-client': 'override', 'X-Extra': 'yes' });
    expect(sink.warnings).toEqual([]);
  });

  it('filters names by glob and by regular expression', async () => {
    const glob = await discover({ namePattern: 'io.github.acme/*' });
    expect(glob.sink.names()).toEqual(['io.github.acme/calendar', 'io.github.acme/weather']);
    const regex = await discover({ namePattern: '/^com\\.EXAMPLE\\//i' });
    expect(regex.sink.names()).toEqual(['com.example/analytics#http', 'com.example/analytics#sse']);
  });

  it('passes search and headers to the registry', async () => {
    const { sink } = await discover({ search: 'weather', headers: { authorization: 'Bearer registry-token' } });
    expect(registry.requests[0]?.url.searchParams.get('search')).toBe('weather');
    expect(registry.requests[0]?.headers.authorization).toBe('Bearer registry-token');
    expect(registry.requests[0]?.headers.accept).toBe('application/json');
    expect(sink.names()).toEqual(['io.github.acme/weather']);
  });

  it('keeps a base URL path (a sub-registry behind a prefix)', async () => {
    const discoverer = new RegistryDiscoverer('registry#1', registryOptionsSchema.parse({ url: 'https://example.com/mcp-registry' }), silentLogger);
    expect(discoverer.endpoint).toBe('https://example.com/mcp-registry/v0.1/servers');
  });
});
