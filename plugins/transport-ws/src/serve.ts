// Runs MCP servers over WebSocket: an HTTP server on loopback (by default) that upgrades `path` to
// WebSocket and gives every connection its own server from `createServer`, because an SDK
// McpServer serves exactly one transport. For tests, demos and the gateway.
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { McpTransport as Transport } from '@switchboard/core';
import { MCP_SUBPROTOCOL } from './frames.js';
import { WebSocketServerTransport } from './server-transport.js';

/** What createServer must return: an SDK McpServer or low-level Server both fit. */
export interface ConnectableMcpServer {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

export interface WebSocketConnectionContext {
  /** The upgrade request (headers, remote address, URL). */
  readonly request: IncomingMessage;
}

export interface ServeMcpOverWebSocketOptions {
  /** Default 0: the OS picks a free port (read it from `url` or `port`). */
  readonly port?: number;
  /** Default 127.0.0.1. Pass 0.0.0.0 deliberately to listen beyond this machine. */
  readonly host?: string;
  /** Default /mcp. Upgrades to any other path are refused with 400. */
  readonly path?: string;
  /** Called once per connection. */
  readonly createServer: (context: WebSocketConnectionContext) => ConnectableMcpServer | Promise<ConnectableMcpServer>;
  /** Ping clients this often and drop those that do not answer; 0 turns it off. Default 30 000. */
  readonly heartbeatIntervalMs?: number;
  /** Largest frame accepted from a client. Default: ws's 100 MiB. */
  readonly maxPayloadBytes?: number;
  /** Bytes sent to a client and not yet read by it, past which it is dropped (a client that never reads). Default 4 MiB. */
  readonly maxBufferedBytes?: number;
  /** Problems on a connection: bad frames, a createServer that threw, socket errors. */
  readonly onError?: (error: Error) => void;
}

export interface McpWebSocketServer {
  /** ws://host:port/path */
  readonly url: string;
  readonly port: number;
  /** Connections currently open. */
  readonly connections: number;
  /** Close every connection and its server, then stop listening. */
  close(): Promise<void>;
}

interface Connection {
  readonly transport: WebSocketServerTransport;
  server?: ConnectableMcpServer;
}

export async function serveMcpOverWebSocket(options: ServeMcpOverWebSocketOptions): Promise<McpWebSocketServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/mcp';
  const live = new Set<Connection>();
  let closing = false;

  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
    res.end(`this endpoint speaks MCP over WebSocket: open a websocket to ${path} with subprotocol "${MCP_SUBPROTOCOL}"\n`);
  });
  const wss = new WebSocketServer({
    server: http,
    path,
    // Echo 'mcp' when offered; a client that asked for no subprotocol is accepted as well.
    handleProtocols: (protocols) => (protocols.has(MCP_SUBPROTOCOL) ? MCP_SUBPROTOCOL : false),
    perMessageDeflate: false,
    ...(options.maxPayloadBytes !== undefined && { maxPayload: options.maxPayloadBytes }),
  });

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    if (closing) {
      socket.terminate();
      return;
    }
    const transport = new WebSocketServerTransport(socket, {
      request,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 30_000,
      ...(options.maxBufferedBytes !== undefined ? { maxBufferedBytes: options.maxBufferedBytes } : {}),
    });
    // Set before connect(): the SDK chains a transport's existing onerror rather than replacing it.
    if (options.onError) transport.onerror = options.onError;
    const connection: Connection = { transport };
    live.add(connection);
    socket.once('close', () => {
      live.delete(connection);
      void connection.server?.close().catch(() => undefined);
    });
    void (async () => {
      try {
        const server = await options.createServer({ request });
        connection.server = server;
        if (closing || transport.closed) {
          await server.close();
          return;
        }
        await server.connect(transport);
      } catch (error) {
        options.onError?.(error instanceof Error ? error : new Error(String(error)));
        socket.close(1011, 'server error');
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `ws://${urlHost}:${port}${path}`,
    port,
    get connections() {
      return live.size;
    },
    async close() {
      closing = true;
      await Promise.all(
        [...live].map(async ({ transport, server }) => {
          await server?.close().catch(() => undefined);
          await transport.close();
        }),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
