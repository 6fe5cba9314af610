// The behaviour every Transport must show, run over a real server the plugin's test starts (a
// spawned process, an HTTP or WebSocket listener on 127.0.0.1), with the MCP SDK's own Client on
// top, as core's pool uses it.
// SDK v2's client, as core drives upstreams with it.
import { Client, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { PluginCatalog, SwitchboardError, silentLogger } from '@switchboard/core';
import type { AnyPlugin, McpTransport, ServiceDescriptor, Transport } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestPluginContext } from './plugin-context.js';
import { settle, waitUntil } from './wait.js';

/** A running upstream. Its server must offer the fixture's `echo` tool (createFixtureServer does). */
export interface TransportTestServer {
  /** What a discoverer would report for it; `transport` must be one of the plugin's kinds. */
  readonly descriptor: ServiceDescriptor;
  /** Connections the server holds now, when it can tell; lets the suite see the close arrive. */
  connections?(): number;
  /** Stop serving; afterwards connecting to `descriptor` must fail. */
  close(): Promise<void>;
}

export interface TransportConformanceOptions {
  /** Suite title, usually the transport kind. */
  name: string;
  /** A fresh transport plugin implementation. */
  create: () => Transport;
  startServer: () => Promise<TransportTestServer>;
  /**
   * A descriptor nothing answers for. Default: start a server, close it and reuse its descriptor,
   * which suits network transports; stdio supplies a command that does not exist instead.
   */
  deadDescriptor?: () => Promise<ServiceDescriptor>;
  /** The plugin object, to check its shape, default options and registration. */
  plugin?: AnyPlugin;
  /** How many calls to have in flight at once. Default 25. */
  concurrency?: number;
}

/** Generous: a deadline here only turns a hang into a failure, it measures nothing. */
const REQUEST_TIMEOUT_MS = 10_000;

export function runTransportConformance(options: TransportConformanceOptions): void {
  const { name, create, startServer } = options;
  const cleanups: (() => Promise<unknown>)[] = [];

  const server = async (): Promise<TransportTestServer> => {
    const s = await startServer();
    cleanups.push(() => s.close());
    return s;
  };

  const connectClient = async (descriptor: ServiceDescriptor): Promise<{ client: Client; transport: McpTransport }> => {
    const transport = await create().connect(descriptor, { logger: silentLogger });
    const client = new Client({ name: 'switchboard-conformance', version: '0.0.0' });
    cleanups.push(() => client.close());
    await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
    return { client, transport };
  };

  describe(`transport conformance: ${name}`, () => {
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    });

    it('declares a non-empty list of kinds that includes the test server’s transport', async () => {
      const transport = create();
      expect(transport.kinds.length).toBeGreaterThan(0);
      for (const kind of transport.kinds) expect(kind, 'each kind').toMatch(/\S/);
      const { descriptor } = await server();
      expect(transport.kinds).toContain(descriptor.transport);
      // Whether the gateway gives each client session its own upstream session follows from this.
      if (transport.multiplexesSessions !== undefined) expect(typeof transport.multiplexesSessions).toBe('boolean');
    });

    it('connect() returns an unstarted MessageTransport: a Client starts it, initializes, lists and calls tools', async () => {
      const s = await server();
      const transport = await create().connect(s.descriptor, { logger: silentLogger });
      for (const method of ['start', 'send', 'close'] as const) expect(typeof transport[method], method).toBe('function');
      if (s.connections) {
        // Connecting is the pool's job (it owns timeouts and retries): nothing may reach the server yet.
        await settle(100);
        expect(s.connections(), 'connections open before start()').toBe(0);
      }
      const client = new Client({ name: 'switchboard-conformance', version: '0.0.0' });
      cleanups.push(() => client.close());
      // The SDK's transports refuse a second start(): this connect only works on an unstarted one.
      await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
      expect(client.getServerVersion()?.name).toBeTruthy();
      const { tools } = await client.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
      expect(tools.map((t) => t.name)).toContain('echo');
      const result = await client.callTool({ name: 'echo', arguments: { text: 'conformance' } }, { timeout: REQUEST_TIMEOUT_MS });
      expect(result.content).toEqual([{ type: 'text', text: 'conformance' }]);
    });

    it('answers many concurrent calls, each with its own result', async () => {
      const { descriptor } = await server();
      const { client } = await connectClient(descriptor);
      const count = options.concurrency ?? 25;
      const texts = Array.from({ length: count }, (_, i) => `call-${i}`);
      const results = await Promise.all(
        texts.map((text) => client.callTool({ name: 'echo', arguments: { text } }, { timeout: REQUEST_TIMEOUT_MS })),
      );
      expect(results.map((r) => (r.content as { text?: string }[])[0]?.text)).toEqual(texts);
    });

    it('closing the client closes the transport and releases the server side', async () => {
      const s = await server();
      const { client } = await connectClient(s.descriptor);
      await client.ping({ timeout: REQUEST_TIMEOUT_MS });
      if (s.connections) await waitUntil(() => s.connections!() > 0, 'the server to see the connection');
      let closed = false;
      client.onclose = () => void (closed = true);
      await client.close();
      expect(closed).toBe(true);
      await expect(client.ping({ timeout: REQUEST_TIMEOUT_MS })).rejects.toThrow();
      if (s.connections) await waitUntil(() => s.connections!() === 0, 'the server to see the connection close');
    });

    it('fails to connect to a dead endpoint with an Error (naming the service when it is a SwitchboardError)', async () => {
      const descriptor = options.deadDescriptor ? await options.deadDescriptor() : await closedServerDescriptor(startServer);
      let failure: unknown;
      try {
        await connectClient(descriptor);
      } catch (error) {
        failure = error;
      }
      expect(failure, 'connecting to a dead endpoint must fail').toBeInstanceOf(Error);
      // A refused endpoint must fail as such, not wait out the request deadline.
      expect(failure instanceof SdkError && failure.code === SdkErrorCode.RequestTimeout, String(failure)).toBe(false);
      // Core's pool names the service and endpoint in front of any error that does not carry
      // `service`; one that sets `service` is passed on as it is, so it must name it itself.
      if (SwitchboardError.is(failure) && failure.service !== undefined) expect(failure.message).toContain(descriptor.name);
      // A refused endpoint proves nothing was delivered, when the transport types its failures.
      if (SwitchboardError.is(failure) && failure.link) expect(failure.link).toMatchObject({ kind: 'connect', delivered: 'no' });
    });

    const { plugin } = options;
    if (plugin) {
      describe('plugin', () => {
        it('is a valid plugin for this core, of kind transport', () => {
          expect(() => new PluginCatalog().add(plugin)).not.toThrow();
          expect(plugin.kind).toBe('transport');
        });

        it('parses empty options to its defaults', () => {
          const parsed = plugin.optionsSchema.safeParse({});
          expect(parsed.success, parsed.error?.message).toBe(true);
        });

        it('registers exactly one Transport that serves its own type', async () => {
          const context = createTestPluginContext({ kind: 'transport', instanceId: `${plugin.type}#0`, options: plugin.optionsSchema.parse({}) });
          await plugin.register(context, plugin.optionsSchema.parse({}));
          expect(context.provided).toHaveLength(1);
          expect(context.provided[0]!.kinds).toContain(plugin.type);
        });
      });
    }
  });
}

async function closedServerDescriptor(startServer: () => Promise<TransportTestServer>): Promise<ServiceDescriptor> {
  const s = await startServer();
  await s.close();
  return s.descriptor;
}
