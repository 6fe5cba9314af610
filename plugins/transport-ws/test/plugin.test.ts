// The plugin as the router sees it: its shape, its options, and a descriptor (as discovery would
// produce it) turned into a working connection through connect().
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { serverEntrySchema, silentLogger, toDescriptor, type DependencyContainer, type Transport } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import websocketTransportPlugin, { serveMcpOverWebSocket, websocketOptionsSchema, WebSocketClientTransport } from '../src/index.js';
import { Cleanup, createTestServer } from './fixtures.js';

const cleanup = new Cleanup();
// This plugin never touches the container; core exports no way to make one without tsyringe.
const unusedContainer = {} as DependencyContainer;
afterEach(() => cleanup.run());

async function provided(options: unknown = {}): Promise<Transport> {
  const plugin = websocketTransportPlugin();
  let transport: Transport | undefined;
  await plugin.register(
    { container: unusedContainer, logger: silentLogger, instanceId: 'websocket#0', provide: (t) => (transport = t), provideFactory: () => undefined },
    plugin.optionsSchema.parse(options),
  );
  if (!transport) throw new Error('the plugin provided nothing');
  return transport;
}

describe('websocketTransportPlugin', () => {
  it('is a transport plugin for the websocket kind', () => {
    const plugin = websocketTransportPlugin();
    expect(plugin).toMatchObject({ name: 'transport-ws', kind: 'transport', type: 'websocket', core: '^0.1.0' });
    expect(websocketOptionsSchema.parse({})).toEqual({ handshakeTimeoutMs: 10_000, heartbeatIntervalMs: 30_000 });
    expect(() => websocketOptionsSchema.parse({ heartbeatMs: 5 })).toThrow();
  });

  it('connects a discovered descriptor, headers included', async () => {
    let tenant: unknown;
    const served = await serveMcpOverWebSocket({
      createServer: ({ request }) => {
        tenant = request.headers['x-tenant'];
        return createTestServer().server;
      },
    });
    cleanup.add(() => served.close());
    const descriptor = toDescriptor(serverEntrySchema.parse({ name: 'echo-ws', url: served.url, headers: { 'x-tenant': 'acme' } }), 'static#0');
    expect(descriptor.transport).toBe('websocket');

    const transport = await provided({ heartbeatIntervalMs: 0 });
    expect(transport.kinds).toEqual(['websocket']);
    const mcp = await transport.connect(descriptor, { logger: silentLogger });
    expect(mcp).toBeInstanceOf(WebSocketClientTransport);
    const client = new Client({ name: 't', version: '0' });
    await client.connect(mcp);
    cleanup.add(() => client.close());
    expect(tenant).toBe('acme');
    await expect(client.callTool({ name: 'echo', arguments: { text: 'via plugin' } })).resolves.toMatchObject({
      content: [{ type: 'text', text: 'via plugin' }],
    });
  });

  it('refuses a descriptor without a url', async () => {
    const transport = await provided();
    const descriptor = { ...toDescriptor(serverEntrySchema.parse({ name: 'x', url: 'ws://127.0.0.1:1/' }), 's#0'), url: undefined };
    await expect(transport.connect(descriptor, { logger: silentLogger })).rejects.toMatchObject({
      code: 'TRANSPORT_ERROR',
      plugin: 'transport-ws',
      service: 'x',
    });
  });
});
