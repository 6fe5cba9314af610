// A third-party transport that declares multiplexesSessions gets what HTTP gets from the gateway:
// each client session its own upstream connection (no list of transport kinds in core), with calls
// and failures flowing through core's typed contracts.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createRouter, linkFaultOf, type Router } from '@switchboard/core';
import staticDiscovery from '@switchboard/discovery-static';
import { createGateway, GATEWAY_CLIENT_CAPABILITIES, serveHttp, type Gateway, type HttpGateway } from '@switchboard/gateway';
import roundRobin from '@switchboard/strategy-round-robin';
import { createFixtureServer } from '@switchboard/testing';
import { afterEach, describe, expect, it } from 'vitest';
import tcpTransportPlugin, { serveMcpOverTcp, type McpTcpServer } from '../src/index.js';

let upstream: McpTcpServer | undefined;
let router: Router | undefined;
let gateway: Gateway | undefined;
let http: HttpGateway | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  await http?.close();
  await gateway?.close();
  await router?.close();
  await upstream?.close();
  upstream = router = gateway = http = undefined;
});

async function connect(): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(http!.url)));
  clients.push(client);
  return client;
}

describe('a third-party transport behind the gateway', () => {
  it('gives each client session its own upstream connection, because the transport says it multiplexes sessions', async () => {
    upstream = await serveMcpOverTcp({ createServer: () => createFixtureServer({ name: 'tcp-upstream', tools: ['echo', 'whoami'] }) });
    router = createRouter(
      { discovery: [{ type: 'static', servers: [{ name: 'calc', transport: 'tcp', url: upstream.url }] }], strategy: { type: 'round-robin' }, health: false, logLevel: 'silent' },
      { plugins: [staticDiscovery(), roundRobin(), tcpTransportPlugin()], clientCapabilities: GATEWAY_CLIENT_CAPABILITIES },
    );
    await router.initialize();
    gateway = createGateway({ router });
    await gateway.ready();
    http = await serveHttp(gateway, { port: 0 });
    const before = upstream.connections; // the router's own (shared) connection
    const a = await connect();
    const b = await connect();
    const text = async (c: Client, s: string) => ((await c.callTool({ name: 'echo', arguments: { text: s } })).content as Array<{ text: string }>)[0]!.text;
    expect(await text(a, 'from a')).toBe('from a');
    expect(await text(b, 'from b')).toBe('from b');
    expect(upstream.connections).toBe(before + 2);
  });

  it('fails a call on a refused connection as not delivered, through the typed LinkFault', async () => {
    upstream = await serveMcpOverTcp({ createServer: () => createFixtureServer({ name: 'gone', tools: ['echo'] }) });
    const url = upstream.url;
    await upstream.close();
    upstream = undefined;
    const transport = await new (await import('../src/index.js')).TcpTransport().connect({ name: 'gone', transport: 'tcp', url, args: [], env: {}, headers: {}, capabilities: [], metadata: {}, priority: 0, weight: 1, source: 'test' });
    const error = await transport.start().then(() => undefined, (e: unknown) => e);
    expect(linkFaultOf(error)).toEqual({ kind: 'connect', delivered: 'no' });
  });
});
