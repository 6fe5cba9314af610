// The shared transport suite over real TCP sockets on 127.0.0.1, against this package's own server
// hosting the fixture MCP server.
import { createFixtureServer, runTransportConformance, testDescriptor } from '@switchboard/testing';
import tcpTransportPlugin, { serveMcpOverTcp, TcpTransport } from '../src/index.js';

runTransportConformance({
  name: 'tcp (third-party)',
  create: () => new TcpTransport(),
  startServer: async () => {
    const server = await serveMcpOverTcp({ createServer: () => createFixtureServer({ name: 'conformance-tcp', tools: ['echo', 'whoami'] }) });
    return {
      descriptor: testDescriptor({ name: 'conformance-tcp', transport: 'tcp', url: server.url }),
      connections: () => server.connections,
      close: () => server.close(),
    };
  },
  plugin: tcpTransportPlugin(),
});
