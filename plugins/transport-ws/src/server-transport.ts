// The server end of MCP over WebSocket: one transport per accepted socket, handed to an SDK
// McpServer (or low-level Server) with `server.connect(transport)`.
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import type { JsonRpcMessage as JSONRPCMessage } from '@switchboard/core';
import { SocketTransport } from './socket-transport.js';

export interface WebSocketServerTransportOptions {
  /** The upgrade request; its headers reach request handlers as `extra.requestInfo.headers`. */
  readonly request?: IncomingMessage;
  /** Ping the client this often and drop it when a ping goes unanswered; 0 (the default) turns it off. */
  readonly heartbeatIntervalMs?: number;
  /** Unsent bytes past which a client that does not read is dropped. Default 4 MiB. */
  readonly maxBufferedBytes?: number;
}

export class WebSocketServerTransport extends SocketTransport {
  protected readonly peer: string;
  protected readonly service = undefined;
  private started = false;
  // Frames that arrive between the upgrade and start() (for example while an async server
  // factory runs) are held here rather than lost: the client's initialize is usually among them.
  private early: JSONRPCMessage[] | undefined = [];

  constructor(
    socket: WebSocket,
    private readonly options: WebSocketServerTransportOptions = {},
  ) {
    super();
    if (options.maxBufferedBytes !== undefined) this.maxBufferedBytes = options.maxBufferedBytes;
    const remote = options.request?.socket.remoteAddress;
    this.peer = `websocket client${remote ? ` ${remote}:${options.request?.socket.remotePort ?? ''}` : ''}`;
    if (options.request) {
      this.extra = { requestInfo: { headers: options.request.headers } };
    }
    this.attach(socket, (message) => (this.early ? this.early.push(message) : this.deliver(message)));
  }

  start(): Promise<void> {
    if (this.started) return Promise.reject(this.error(`the transport for ${this.peer} was already started`));
    this.started = true;
    if (this.socket?.readyState !== WebSocket.OPEN || this.closed) {
      return Promise.reject(this.error(`cannot start the transport for ${this.peer}: the socket is not open`));
    }
    this.startHeartbeat(this.options.heartbeatIntervalMs ?? 0);
    const held = this.early ?? [];
    this.early = undefined;
    // After start() resolves, so the SDK has finished connecting before the first message lands.
    queueMicrotask(() => {
      for (const message of held) this.deliver(message);
    });
    return Promise.resolve();
  }
}
