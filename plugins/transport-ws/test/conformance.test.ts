// The shared transport suite over MCP-over-WebSocket served on 127.0.0.1 by this package's own server.
import { createFixtureServer, runTransportConformance, testDescriptor } from '@switchboard/testing';
import websocketTransportPlugin, { serveMcpOverWebSocket, WebSocketTransport } from '../src/index.js';

runTransportConformance({
  name: 'websocket',
  create: () => new WebSocketTransport(),
  startServer: async () => {
    const server = await serveMcpOverWebSocket({ createServer: () => createFixtureServer({ name: 'conformance-ws', tools: ['echo', 'whoami'] }) });
    return {
      descriptor: testDescriptor({ name: 'conformance-ws', url: server.url }),
      connections: () => server.connections,
      close: () => server.close(),
    };
  },
  plugin: websocketTransportPlugin(),
});
