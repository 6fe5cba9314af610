// The server side, for running an MCP server on TCP (and for this package's tests): every accepted
// connection gets a fresh server instance of `createServer`, so one listener serves many sessions.
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { MessageTransport } from '@switchboard/core';
import { SocketLink } from './socket-link.js';

/** What an MCP server object offers (the SDK's Server and McpServer both do). */
export interface ConnectableServer {
  connect(transport: MessageTransport): Promise<void>;
  close(): Promise<void>;
}

export interface McpTcpServer {
  /** `tcp://127.0.0.1:PORT` */
  readonly url: string;
  /** Connections open now. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function serveMcpOverTcp(options: { createServer: () => ConnectableServer; host?: string; port?: number }): Promise<McpTcpServer> {
  const servers = new Set<ConnectableServer>();
  let open = 0;
  const listener: TcpServer = createTcpServer((socket) => {
    open++;
    socket.once('close', () => open--);
    const server = options.createServer();
    servers.add(server);
    const link = new SocketLink(() => Promise.resolve(socket), `client ${socket.remoteAddress}:${socket.remotePort}`);
    void server.connect(link).catch(() => socket.destroy());
    socket.once('close', () => {
      servers.delete(server);
      void server.close().catch(() => undefined);
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = listener.address() as AddressInfo;
  return {
    url: `tcp://${host}:${port}`,
    get connections() {
      return open;
    },
    async close() {
      await Promise.all([...servers].map((s) => s.close().catch(() => undefined)));
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
