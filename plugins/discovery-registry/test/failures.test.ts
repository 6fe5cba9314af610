// A registry that is down, erroring or talking nonsense: warnings naming the URL, the last known
// catalogue kept, and start() resolving rather than failing the router.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@switchboard/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryDiscoverer, registryOptionsSchema, type RegistryOptionsInput } from '../src/index.js';
import { startFakeRegistry, type FakeRegistry } from './fake-registry.js';
import { RecordingSink } from './recording-sink.js';

let registry: FakeRegistry;
const discoverers: RegistryDiscoverer[] = [];
const extraServers: Server[] = [];

beforeEach(async () => {
  registry = await startFakeRegistry();
});
afterEach(async () => {
  await Promise.all(discoverers.splice(0).map((d) => d.stop()));
  await registry.close();
  for (const server of extraServers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

function discoverer(options: Partial<RegistryOptionsInput> = {}): RegistryDiscoverer {
  const d = new RegistryDiscoverer('registry#0', registryOptionsSchema.parse({ url: registry.url, ...options }), silentLogger);
  discoverers.push(d);
  return d;
}

describe('when the registry fails', () => {
  it('keeps the last known catalogue and warns when the registry goes away', async () => {
    const d = discoverer();
    const sink = new RecordingSink();
    await d.start(sink);
    const catalogue = sink.names();
    expect(catalogue.length).toBeGreaterThan(0);
    sink.takeEvents();

    await registry.close();
    await d.refresh();
    expect(sink.takeEvents()).toEqual([]);
    expect(sink.names()).toEqual(catalogue);
    const readFailures = sink.warnings.filter((w) => w.message.startsWith('cannot read'));
    expect(readFailures).toHaveLength(1);
    expect(readFailures[0]?.message).toMatch(
      new RegExp(`^cannot read the MCP registry at ${registry.url.replace(/[.]/g, '\\.')}/v0\\.1/servers\\?.*updated_since=.*: connection refused; keeping the last known catalogue \\(${catalogue.length} services\\)$`),
    );
    expect(readFailures[0]?.fields).toMatchObject({ source: 'registry#0' });
  });

  it('start() resolves with nothing reported when the registry is unreachable', async () => {
    await registry.close();
    const d = discoverer();
    const sink = new RecordingSink();
    await expect(d.start(sink)).resolves.toBeUndefined();
    expect(sink.events).toEqual([]);
    expect(sink.warnings[0]?.message).toMatch(/cannot read the MCP registry at http:\/\/127\.0\.0\.1:\d+\/v0\.1\/servers\?version=latest: connection refused/);
  });

  it('retries a full read after a failed first one', async () => {
    registry.override = { status: 503, body: '{"error":"maintenance"}' };
    const d = discoverer();
    const sink = new RecordingSink();
    await d.start(sink);
    expect(sink.warnings[0]?.message).toMatch(/the registry answered HTTP 503/);
    expect(sink.events).toEqual([]);

    registry.override = undefined;
    await d.refresh();
    // Nothing was ever read, so this is a full read (no updated_since) and fills the catalogue.
    expect(registry.requests.at(-1)?.url.searchParams.has('updated_since')).toBe(false);
    expect(sink.names()).toContain('io.github.acme/weather');
  });

  it('a non-200 answer during a refresh changes nothing', async () => {
    const d = discoverer();
    const sink = new RecordingSink();
    await d.start(sink);
    sink.takeEvents();
    registry.setStatus('io.github.acme/weather', 'deleted');
    registry.override = { status: 500, body: 'internal error' };
    await d.refresh();
    expect(sink.takeEvents()).toEqual([]);
    expect(sink.warnings.at(-1)?.message).toMatch(/answered HTTP 500/);

    // Once it answers again, the change since the last *successful* read is still picked up.
    registry.override = undefined;
    await d.refresh();
    expect(sink.takeEvents()).toEqual([{ type: 'removed', name: 'io.github.acme/weather', source: 'registry#0' }]);
  });

  it('warns about malformed JSON, naming the URL', async () => {
    registry.override = { status: 200, body: '{"servers": [' };
    const d = discoverer();
    const sink = new RecordingSink();
    await d.start(sink);
    expect(sink.warnings[0]?.message).toMatch(/^cannot read the MCP registry at http:\/\/127\.0\.0\.1:\d+\/v0\.1\/servers\?version=latest: the registry returned malformed JSON/);
  });

  it('warns about a response of the wrong shape, naming the URL', async () => {
    registry.override = { status: 200, body: JSON.stringify({ items: [] }) };
    const d = discoverer();
    const sink = new RecordingSink();
    await d.start(sink);
    expect(sink.warnings[0]?.message).toMatch(/at http:\/\/127\.0\.0\.1:\d+\/v0\.1\/servers\?version=latest: the registry returned an unexpected shape: .* at servers/);
    expect(sink.events).toEqual([]);
  });

  it('skips one malformed entry and keeps the rest of the page', async () => {
    registry.items.push({ server: { name: 'io.github.bad/entry', version: 7 as unknown as string }, _meta: registry.items[0]!._meta });
    const d = discoverer();
    const sink = new RecordingSink();
    await d.start(sink);
    expect(sink.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/^skipped io\.github\.bad\/entry from the MCP registry: .* at server\.version$/));
    expect(sink.names()).toContain('io.github.acme/weather');
  });

  it('cuts off a page larger than maxPageBytes, endless or declared, and keeps the last catalogue', async () => {
    let written = 0;
    let closedEarly = false;
    const endless = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.on('close', () => (closedEarly = !res.writableFinished));
      const chunk = Buffer.alloc(64 * 1024, ' ');
      res.write('{"servers": [');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    extraServers.push(endless);
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', () => resolve()));
    const endlessUrl = `http://127.0.0.1:${(endless.address() as AddressInfo).port}`;
    const d = discoverer({ url: endlessUrl, maxPageBytes: 1024 * 1024 });
    const sink = new RecordingSink();
    await d.start(sink);
    expect(sink.events).toEqual([]);
    expect(sink.warnings[0]?.message).toMatch(/: the registry answered a page larger than 1048576 bytes \(maxPageBytes\); set pageSize/);
    await expect.poll(() => closedEarly).toBe(true);
    expect(written).toBeLessThan(64 * 1024 * 1024);

    // A page whose Content-Length says it is too large is refused before its body is read.
    const d2 = discoverer({ maxPageBytes: 100 });
    const sink2 = new RecordingSink();
    await d2.start(sink2);
    expect(sink2.warnings[0]?.message).toMatch(/larger than 100 bytes/);
    expect(sink2.events).toEqual([]);
    // Under the bound, the same registry reads as usual.
    const d3 = discoverer();
    const sink3 = new RecordingSink();
    await d3.start(sink3);
    expect(sink3.names()).toContain('io.github.acme/weather');
  });

  it('a registry that hangs is given up on after timeoutMs', async () => {
    const hanging = createServer(() => {
      /* never answers */
    });
    extraServers.push(hanging);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    const d = new RegistryDiscoverer('registry#9', registryOptionsSchema.parse({ url, timeoutMs: 100 }), silentLogger);
    discoverers.push(d);
    const sink = new RecordingSink();
    await d.start(sink);
    expect(sink.warnings[0]?.message).toMatch(/no answer within 100 ms/);
  });

  it('stop() cancels a read in progress without warning', async () => {
    const hanging = createServer(() => {
      /* never answers */
    });
    extraServers.push(hanging);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    const d = new RegistryDiscoverer('registry#9', registryOptionsSchema.parse({ url }), silentLogger);
    const sink = new RecordingSink();
    const started = d.start(sink);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await d.stop();
    await started;
    expect(sink.warnings).toEqual([]);
    expect(sink.events).toEqual([]);
  });

  it('stops following a cursor that repeats', async () => {
    registry.override = { status: 200, body: JSON.stringify({ servers: [], metadata: { nextCursor: 'same', count: 0 } }) };
    const d = discoverer();
    const sink = new RecordingSink();
    await d.start(sink);
    expect(registry.requests).toHaveLength(2);
    expect(sink.warnings[0]?.message).toMatch(/cursor "same" twice/);
  });
});
