// The behaviour every HealthChecker must show: healthy for a live server, not healthy for a dead
// one, and no waiting once the check's signal is already aborted.
// SDK v2's client, as core drives upstreams with it.
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { PluginCatalog, silentLogger } from '@switchboard/core';
import type { AnyPlugin, HealthChecker, HealthResult, HealthTarget, ServiceDescriptor, Transport } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCandidate } from '../candidates.js';
import { createFixtureServer } from '../fixtures/server.js';
import { createTestPluginContext } from './plugin-context.js';
import type { TransportTestServer } from './transport.js';

export interface HealthCheckerConformanceOptions {
  /** Suite title, usually the checker's config type. */
  name: string;
  create: () => HealthChecker;
  /** A live upstream; closing it must make it unreachable. */
  startServer: () => Promise<TransportTestServer>;
  /**
   * Connects to what startServer returns. Default: the MCP SDK's Streamable HTTP client, which suits
   * startHttpTestServer() and keeps a health plugin's tests free of any transport plugin.
   */
  transport?: Transport;
  plugin?: AnyPlugin;
}

/** Only turns a hang into a failure; nothing here measures time. */
const HANG_DEADLINE_MS = 5_000;

export function runHealthCheckerConformance(options: HealthCheckerConformanceOptions): void {
  const { name, create, startServer } = options;
  const transport = options.transport ?? sdkHttpTransport;
  const cleanups: (() => Promise<unknown>)[] = [];

  /** A HealthTarget like core's: one lazily connected client, shared by every ping. */
  const targetFor = (descriptor: ServiceDescriptor): HealthTarget => {
    let connecting: Promise<Client> | undefined;
    const client = (): Promise<Client> =>
      (connecting ??= (async () => {
        const c = new Client({ name: 'switchboard-conformance', version: '0.0.0' });
        cleanups.push(() => c.close());
        await c.connect(await transport.connect(descriptor, { logger: silentLogger }), { timeout: HANG_DEADLINE_MS });
        return c;
      })());
    return { service: descriptor, ping: async (signal) => void (await (await client()).ping({ signal })) };
  };

  const check = (target: HealthTarget, signal = new AbortController().signal): Promise<HealthResult> =>
    withDeadline(create().check(target, signal), `${name}: check() did not settle`);

  describe(`health checker conformance: ${name}`, () => {
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    });

    it('has a non-empty name', () => {
      expect(create().name).toMatch(/\S/);
    });

    it('reports a live server healthy, with a finite, non-negative latency', async () => {
      const server = await startServer();
      cleanups.push(() => server.close());
      const target = targetFor(server.descriptor);
      for (let i = 0; i < 3; i++) {
        const result = await check(target);
        expect(result.healthy, result.detail).toBe(true);
        expect(Number.isFinite(result.latencyMs)).toBe(true);
        expect(result.latencyMs).toBeGreaterThanOrEqual(0);
      }
    });

    it('reports a server that went away as not healthy (or rejects)', async () => {
      const server = await startServer();
      cleanups.push(() => server.close());
      const target = targetFor(server.descriptor);
      expect((await check(target)).healthy).toBe(true);
      await server.close();
      const verdict = await verdictOf(check(target));
      expect(verdict instanceof Error || (verdict as HealthResult).healthy === false, String(verdict)).toBe(true);
    });

    it('reports a server it cannot connect to as not healthy (or rejects)', async () => {
      const server = await startServer();
      cleanups.push(() => server.close());
      await server.close();
      const verdict = await verdictOf(check(targetFor(server.descriptor)));
      expect(verdict instanceof Error || (verdict as HealthResult).healthy === false, String(verdict)).toBe(true);
    });

    it('settles at once, not healthy, when the signal is already aborted and the server never answers', async () => {
      // A server that answers the handshake, then goes silent: only the signal can end the check.
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const fixture = createFixtureServer({ name: 'silent' });
      await fixture.connect(serverSide);
      const client = new Client({ name: 'switchboard-conformance', version: '0.0.0' });
      await client.connect(clientSide);
      cleanups.push(() => fixture.close(), () => client.close());
      serverSide.onmessage = () => undefined;
      const target: HealthTarget = { service: makeCandidate('silent').descriptor, ping: async (signal) => void (await client.ping({ signal })) };
      const verdict = await verdictOf(check(target, AbortSignal.abort()));
      expect(verdict instanceof Error || (verdict as HealthResult).healthy === false, String(verdict)).toBe(true);
    });

    const { plugin } = options;
    if (plugin) {
      describe('plugin', () => {
        it('is a valid plugin for this core, of kind health', () => {
          expect(() => new PluginCatalog().add(plugin)).not.toThrow();
          expect(plugin.kind).toBe('health');
        });

        it('parses empty options to its defaults', () => {
          const parsed = plugin.optionsSchema.safeParse({});
          expect(parsed.success, parsed.error?.message).toBe(true);
        });

        it('registers exactly one HealthChecker', async () => {
          const context = createTestPluginContext({ kind: 'health', instanceId: `${plugin.type}#0`, options: plugin.optionsSchema.parse({}) });
          await plugin.register(context, plugin.optionsSchema.parse({}));
          expect(context.provided).toHaveLength(1);
          expect(typeof context.provided[0]!.check).toBe('function');
        });
      });
    }
  });
}

const sdkHttpTransport: Transport = {
  kinds: ['http'],
  async connect(service) {
    return new StreamableHTTPClientTransport(new URL(service.url ?? ''));
  },
};

class HangError extends Error {}

/** A check's result or its rejection, except a hang, which fails the test instead of counting as "not healthy". */
async function verdictOf(check: Promise<HealthResult>): Promise<HealthResult | Error> {
  try {
    return await check;
  } catch (error) {
    if (error instanceof HangError) throw error;
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Rejects with `what` if `promise` has not settled by the deadline (and clears its timer either way). */
function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HangError(`${what} within ${HANG_DEADLINE_MS} ms`)), HANG_DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
