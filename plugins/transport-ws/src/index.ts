// @switchboard/transport-ws: MCP over WebSocket (subprotocol "mcp", one JSON-RPC message per text
// frame) on the `ws` package: a client transport for the router, a server transport and a small
// server for tests, demos and the gateway, and the Switchboard transport plugin.
export { WebSocketClientTransport, type WebSocketClientTransportOptions } from './client-transport.js';
export { WebSocketServerTransport, type WebSocketServerTransportOptions } from './server-transport.js';
export {
  serveMcpOverWebSocket,
  type ConnectableMcpServer,
  type McpWebSocketServer,
  type ServeMcpOverWebSocketOptions,
  type WebSocketConnectionContext,
} from './serve.js';
export { MCP_SUBPROTOCOL } from './frames.js';
export { WebSocketTransport, websocketOptionsSchema, websocketTransportPlugin, type WebSocketTransportOptions } from './plugin.js';
export { websocketTransportPlugin as default } from './plugin.js';
