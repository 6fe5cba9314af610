// The behaviour every Discoverer must show, as vitest blocks a discoverer's own test file registers
// in one call. The plugin's test supplies a harness that writes to the real source (a file, mDNS,
// etcd, a registry); the suite only watches what the discoverer reports.
import { PluginCatalog, serverEntrySchema } from '@switchboard/core';
import type { AnyPlugin, Discoverer, ServiceDescriptor } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestPluginContext } from './plugin-context.js';
import { RecordingSink } from './recording-sink.js';
import { settle, waitUntil } from './wait.js';

/** What the suite asks a source to list: the subset every first-party source can express. */
/** A descriptor as the server entry it came from: everything but `source`, which discovery adds. */
function entryOf(descriptor: ServiceDescriptor): Omit<ServiceDescriptor, 'source'> {
  const { source: _source, ...entry } = descriptor;
  return entry;
}

export interface DiscoveryTestEntry {
  readonly name: string;
  readonly transport: 'http';
  /** `http://127.0.0.1:PORT/mcp`; nothing listens there, discoverers must not connect. */
  readonly url: string;
}

export interface DiscovererHarness {
  /** A fresh, unstarted discoverer reading this harness's source. */
  readonly discoverer: Discoverer;
  /**
   * Make the source list `entry`, or change it when its name is already listed. Resolves once the
   * source holds it; the event may come later (the suite waits for it). A pull-based source calls
   * the discoverer's refresh() here, as the router's discovery interval would.
   */
  announce(entry: DiscoveryTestEntry): Promise<void>;
  /** Make the source stop listing `name` (and refresh, for a pull-based source). */
  withdraw(name: string): Promise<void>;
  /** Publish one record the discoverer must skip with sink.warn, never by throwing. */
  announceInvalid?(): Promise<void>;
  /** Release the source (stop advertisers, delete keys, close servers). The suite stops the discoverer itself. */
  close(): Promise<void>;
}

export interface DiscovererConformanceOptions {
  /** Suite title, usually the discoverer's config type. */
  name: string;
  /** Called once per test, so no state leaks between tests. */
  create: () => Promise<DiscovererHarness>;
  /** The plugin object (the default export's result), to check its shape, default options and registration. */
  plugin?: AnyPlugin;
  /** The source cannot change a listed entry in place: a change may arrive as removed + added. */
  noUpdates?: boolean;
  /** Deadline for an expected event; a hang becomes a failure naming what was missing. Default 10 s. */
  eventTimeoutMs?: number;
  /** How long to watch for events that must not come (after stop(), after refresh()). Default 300 ms. */
  quietMs?: number;
}

let nameCounter = 0;

export function runDiscovererConformance(options: DiscovererConformanceOptions): void {
  const { name, create } = options;
  const timeout = options.eventTimeoutMs ?? 10_000;
  const quietMs = options.quietMs ?? 300;
  const cleanups: (() => Promise<void>)[] = [];

  /** A fresh harness and a started discoverer, both released after the test whatever happens. */
  const started = async (): Promise<{ harness: DiscovererHarness; sink: RecordingSink }> => {
    const harness = await create();
    // Reverse order on cleanup: the discoverer stops before its source goes away.
    cleanups.push(() => harness.close());
    cleanups.push(() => harness.discoverer.stop());
    const sink = new RecordingSink();
    await harness.discoverer.start(sink);
    return { harness, sink };
  };

  // Unique per test: sources such as mDNS are shared by every test on the link.
  const entry = (label: string, port = 4_700): DiscoveryTestEntry => {
    nameCounter += 1;
    return { name: `conf-${label}-${process.pid % 10_000}-${nameCounter}`, transport: 'http', url: `http://127.0.0.1:${port}/mcp` };
  };

  const added = (sink: RecordingSink, entryName: string): ServiceDescriptor | undefined => {
    for (const e of sink.about(entryName)) if (e.type === 'added') return e.service;
    return undefined;
  };

  describe(`discoverer conformance: ${name}`, () => {
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) {
        try {
          await cleanup();
        } catch {
          // A cleanup error must not hide the assertion that failed.
        }
      }
    });

    it('has a non-empty id and start() resolves', async () => {
      const { harness } = await started();
      expect(typeof harness.discoverer.id).toBe('string');
      expect(harness.discoverer.id.length).toBeGreaterThan(0);
    });

    it('reports an announced entry as `added`, with a valid descriptor whose source is its id', async () => {
      const { harness, sink } = await started();
      const alpha = entry('added');
      await harness.announce(alpha);
      await waitUntil(() => added(sink, alpha.name) !== undefined, `'added' for ${alpha.name}`, timeout);
      const descriptor = added(sink, alpha.name)!;
      const reparsed = serverEntrySchema.safeParse(entryOf(descriptor));
      expect(reparsed.success, reparsed.error?.message).toBe(true);
      expect(descriptor.source).toBe(harness.discoverer.id);
      expect(descriptor).toMatchObject({ name: alpha.name, transport: 'http', url: alpha.url });
      expect(sink.about(alpha.name).filter((e) => e.type === 'added')).toHaveLength(1);
    });

    it('reports a withdrawn entry as `removed`, with its name and this source', async () => {
      const { harness, sink } = await started();
      const gone = entry('removed');
      const kept = entry('kept', 4_701);
      await harness.announce(gone);
      await harness.announce(kept);
      await waitUntil(() => sink.services.has(gone.name) && sink.services.has(kept.name), 'both entries', timeout);
      await harness.withdraw(gone.name);
      await waitUntil(() => !sink.services.has(gone.name), `'removed' for ${gone.name}`, timeout);
      expect(sink.events.at(-1)).toEqual({ type: 'removed', name: gone.name, source: harness.discoverer.id });
      expect(sink.services.has(kept.name)).toBe(true);
    });

    it(options.noUpdates ? 'reflects a changed entry (as removed + added: this source cannot update in place)' : 'reports a changed entry as `updated`', async () => {
      const { harness, sink } = await started();
      const before = entry('updated', 4_702);
      const after: DiscoveryTestEntry = { ...before, url: 'http://127.0.0.1:4703/mcp' };
      await harness.announce(before);
      await waitUntil(() => sink.services.get(before.name)?.url === before.url, `'added' for ${before.name}`, timeout);
      await harness.announce(after);
      await waitUntil(() => sink.services.get(after.name)?.url === after.url, `the new url of ${after.name}`, timeout);
      const types = sink.about(before.name).map((e) => e.type);
      if (!options.noUpdates) expect(types).toEqual(['added', 'updated']);
      const last = sink.about(before.name).at(-1);
      expect(last?.type === 'removed' ? undefined : last?.service.source).toBe(harness.discoverer.id);
    });

    it('emits nothing after stop() resolves, and stop() twice is safe', async () => {
      const { harness, sink } = await started();
      const first = entry('before-stop');
      await harness.announce(first);
      await waitUntil(() => sink.services.has(first.name), `'added' for ${first.name}`, timeout);
      await harness.discoverer.stop();
      const seen = sink.events.length;
      // Changes at the source after stop() must reach no one.
      await harness.announce(entry('after-stop', 4_704)).catch(() => undefined);
      await harness.withdraw(first.name).catch(() => undefined);
      await harness.discoverer.refresh?.().catch(() => undefined);
      await settle(quietMs);
      expect(sink.events.slice(seen)).toEqual([]);
      await expect(harness.discoverer.stop()).resolves.toBeUndefined();
    });

    it('refresh(), when present, does not report a known entry again', async () => {
      const { harness, sink } = await started();
      const known = entry('refresh', 4_705);
      await harness.announce(known);
      await waitUntil(() => sink.services.has(known.name), `'added' for ${known.name}`, timeout);
      if (harness.discoverer.refresh) {
        await harness.discoverer.refresh();
        await harness.discoverer.refresh();
      }
      await settle(quietMs);
      expect(sink.about(known.name).map((e) => e.type)).toEqual(['added']);
    });

    it('skips a bad record with sink.warn rather than a throw, and keeps going', async (ctx) => {
      const { harness, sink } = await started();
      if (!harness.announceInvalid) {
        ctx.skip();
        return;
      }
      await harness.announceInvalid();
      await waitUntil(() => sink.warnings.length > 0, 'a warning about the bad record', timeout);
      expect(typeof sink.warnings[0]?.message).toBe('string');
      const good = entry('after-bad', 4_706);
      await harness.announce(good);
      await waitUntil(() => sink.services.has(good.name), `'added' for ${good.name} after the bad record`, timeout);
      for (const service of sink.services.values()) expect(serverEntrySchema.safeParse(entryOf(service)).success, service.name).toBe(true);
    });

    const { plugin } = options;
    if (plugin) {
      describe('plugin', () => {
        it('is a valid plugin for this core, of kind discovery', () => {
          expect(() => new PluginCatalog().add(plugin)).not.toThrow();
          expect(plugin.kind).toBe('discovery');
        });

        it('parses empty options to its defaults', () => {
          const parsed = plugin.optionsSchema.safeParse({});
          expect(parsed.success, parsed.error?.message).toBe(true);
        });

        it('registers exactly one Discoverer whose id is the instance id, without starting it', async () => {
          const context = createTestPluginContext({ kind: 'discovery', instanceId: `${plugin.type}#7`, options: plugin.optionsSchema.parse({}) });
          await plugin.register(context, plugin.optionsSchema.parse({}));
          expect(context.provided).toHaveLength(1);
          const discoverer = context.provided[0]!;
          cleanups.push(() => discoverer.stop());
          expect(discoverer.id).toBe(`${plugin.type}#7`);
          expect(typeof discoverer.start).toBe('function');
          expect(typeof discoverer.stop).toBe('function');
        });
      });
    }
  });
}
