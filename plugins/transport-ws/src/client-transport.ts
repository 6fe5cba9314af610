// The client end of MCP over WebSocket, on the `ws` package: Node 20 has no global WebSocket, so
// the SDK's own WebSocketClientTransport cannot run here, and `ws` also lets us send headers on
// the upgrade request (the browser API cannot).
import { WebSocket } from 'ws';
import type { JsonRpcMessage as JSONRPCMessage } from '@switchboard/core';
import { SwitchboardError } from '@switchboard/core';
import { connectError, displayUrl } from './connect-error.js';
import { MCP_SUBPROTOCOL } from './frames.js';
import { PLUGIN_NAME } from './plugin-name.js';
import { SocketTransport } from './socket-transport.js';

export interface WebSocketClientTransportOptions {
  /** Sent on the HTTP upgrade request (for example Authorization). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The service name errors mention; defaults to the URL's host. */
  readonly name?: string;
  /** Give up on an upgrade that has not completed after this long. Default 10 000. */
  readonly handshakeTimeoutMs?: number;
  /** Ping the server this often and drop the connection when a ping goes unanswered; 0 turns it off. Default 30 000. */
  readonly heartbeatIntervalMs?: number;
  /** Largest frame accepted from the server. Default: ws's 100 MiB. */
  readonly maxPayloadBytes?: number;
  /** Unsent bytes past which a server that does not read is dropped. Default 4 MiB. */
  readonly maxBufferedBytes?: number;
  /** Aborting it cancels a connect in progress and closes an open connection. */
  readonly signal?: AbortSignal;
}

export class WebSocketClientTransport extends SocketTransport {
  readonly url: URL;
  protected readonly peer: string;
  protected readonly service: string;
  private started = false;

  constructor(
    url: URL | string,
    private readonly options: WebSocketClientTransportOptions = {},
  ) {
    super();
    if (options.maxBufferedBytes !== undefined) this.maxBufferedBytes = options.maxBufferedBytes;
    this.url = toWebSocketUrl(url);
    this.service = options.name ?? this.url.host;
    this.peer = `websocket server ${this.service} at ${displayUrl(this.url)}`;
  }

  /** Open the connection. Rejects with a TRANSPORT_ERROR SwitchboardError when it cannot. */
  start(): Promise<void> {
    if (this.started) return Promise.reject(this.error(`the transport to ${this.peer} was already started; a transport connects once`));
    this.started = true;
    if (this.closed) return Promise.reject(this.error(`the transport to ${this.peer} was closed before it started`));
    const { signal } = this.options;
    if (signal?.aborted) return Promise.reject(connectError(this.service, this.url, new Error('aborted before connecting')));

    return new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(this.url, MCP_SUBPROTOCOL, {
        headers: { ...this.options.headers },
        handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
        // Spread only when set: ws merges options over its defaults, so `undefined` would win.
        ...(this.options.maxPayloadBytes !== undefined && { maxPayload: this.options.maxPayloadBytes }),
        // Compression costs CPU on every frame for JSON that is usually small; opt-in only.
        perMessageDeflate: false,
      });
      this.socket = socket;
      let failure: unknown;
      const onAbort = (): void => void this.close();
      signal?.addEventListener('abort', onAbort, { once: true });

      const onError = (error: Error): void => {
        failure ??= error;
      };
      // Before 'open' a failure rejects start() and does not fire onclose: the SDK and the pool
      // treat a failed start as "never connected", not as a dropped connection.
      const onEarlyClose = (): void => {
        signal?.removeEventListener('abort', onAbort);
        reject(connectError(this.service, this.url, failure ?? new Error('the connection closed before the websocket opened')));
      };
      socket.on('error', onError);
      socket.once('close', onEarlyClose);
      socket.once('open', () => {
        socket.off('error', onError);
        socket.off('close', onEarlyClose);
        socket.once('close', () => signal?.removeEventListener('abort', onAbort));
        this.attach(socket, (message: JSONRPCMessage) => this.deliver(message));
        this.startHeartbeat(this.options.heartbeatIntervalMs ?? 30_000);
        resolve();
      });
    });
  }
}

// Descriptors often carry http(s) URLs for servers that also speak WebSocket; ws needs ws(s).
function toWebSocketUrl(input: URL | string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw new SwitchboardError('TRANSPORT_ERROR', `'${String(input)}' is not a valid websocket URL`, { plugin: PLUGIN_NAME, cause });
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new SwitchboardError('TRANSPORT_ERROR', `'${displayUrl(url)}' is not a websocket URL; use ws://, wss://, http:// or https://`, { plugin: PLUGIN_NAME });
  }
  return url;
}
