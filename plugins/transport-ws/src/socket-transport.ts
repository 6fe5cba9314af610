// What the client and server transports share once a socket is open: decoding frames, sending,
// the optional ping/pong heartbeat, and a close() that waits for the socket to really go away and
// fires onclose exactly once.
import { WebSocket } from 'ws';
import type { JsonRpcMessage as JSONRPCMessage, MessageExtra as MessageExtraInfo, McpTransport as Transport, SendOptions as TransportSendOptions } from '@switchboard/core';
import { linkError, PendingRequests, type LinkFault, type SwitchboardError } from '@switchboard/core';
import { decodeFrame, encodeFrame } from './frames.js';
import { PLUGIN_NAME } from './plugin-name.js';

/** How long close() waits for the peer's close frame before dropping the TCP connection. */
const CLOSE_GRACE_MS = 1_000;
/** Bytes queued for a peer and not yet taken by it, past which it is dropped as one that does not read. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

const STATE_NAMES: Record<number, string> = {
  [WebSocket.CONNECTING]: 'still connecting',
  [WebSocket.OPEN]: 'open',
  [WebSocket.CLOSING]: 'closing',
  [WebSocket.CLOSED]: 'closed',
};

export abstract class SocketTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  protected socket: WebSocket | undefined;
  /** Extra info handed with every message (the server side passes the upgrade request's headers). */
  protected extra: MessageExtraInfo | undefined;
  private finished = false;
  /** Requests sent and not answered: failed with a typed error if the socket goes away first. */
  private readonly pending = new PendingRequests();
  private heartbeat: NodeJS.Timeout | undefined;
  private awaitingPong = false;

  /** How errors name the other end: "websocket server weather at ws://…" or "websocket client 127.0.0.1:5123". */
  protected abstract readonly peer: string;
  /** The service an error is about, when there is one (the client side). */
  protected abstract readonly service: string | undefined;
  /**
   * A peer that sends requests and never reads the answers would have them queued here without
   * end (ws buffers whatever the socket cannot take). Past this many unsent bytes it is dropped.
   */
  protected maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;

  abstract start(): Promise<void>;

  /** True once close() ran or the socket closed by itself. */
  get closed(): boolean {
    return this.finished;
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.finished) {
      const state = this.finished ? 'closed' : socket ? (STATE_NAMES[socket.readyState] ?? 'not open') : 'not started';
      return Promise.reject(this.error(`cannot send to ${this.peer}: the connection is ${state}`, undefined, { kind: 'closed', delivered: 'no' }));
    }
    let frame: string;
    try {
      frame = encodeFrame(message);
    } catch (error) {
      return Promise.reject(error);
    }
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      const error = this.error(
        `${this.peer} is not reading: ${socket.bufferedAmount} bytes sent to it are still unread (over maxBufferedBytes, ${this.maxBufferedBytes}); dropping the connection`,
        undefined,
        { kind: 'closed', delivered: 'no' },
      );
      this.onerror?.(error);
      socket.terminate();
      return Promise.reject(error);
    }
    this.pending.sent(message);
    return new Promise((resolve, reject) => {
      // The callback fires once the frame is handed to the OS, so a caller awaiting send() gets
      // backpressure and a real error if the socket died in between.
      socket.send(frame, (error) => (error ? reject(this.error(`sending to ${this.peer} failed: ${error.message}`, error, { kind: 'closed', delivered: 'maybe' })) : resolve()));
    });
  }

  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) {
      this.finish();
      return;
    }
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      if (socket.readyState === WebSocket.CONNECTING) {
        socket.terminate();
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.close(1000);
      // A peer that never answers the close frame must not hold close() (and the router's
      // shutdown) for ws's own 30 s timeout.
      const grace = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      grace.unref();
      socket.once('close', () => clearTimeout(grace));
    });
    this.finish();
  }

  /** Wire an open (or opening) socket's events into the transport callbacks. */
  protected attach(socket: WebSocket, deliver: (message: JSONRPCMessage) => void): void {
    this.socket = socket;
    socket.on('message', (data, isBinary) => {
      const decoded = decodeFrame(data, isBinary, this.peer);
      // A bad frame is the peer's bug, not a broken connection: report it and keep going.
      if (decoded instanceof Error) this.onerror?.(decoded);
      else deliver(decoded);
    });
    socket.on('error', (error) => {
      // ws follows an error with 'close', which finishes the transport; this only reports why.
      this.onerror?.(this.error(`websocket connection to ${this.peer} failed: ${error.message}`, error));
    });
    socket.on('pong', () => {
      this.awaitingPong = false;
    });
    socket.on('close', () => this.finish());
  }

  protected deliver(message: JSONRPCMessage): void {
    this.pending.received(message);
    this.onmessage?.(message, this.extra);
  }

  /** Ping every `intervalMs`; a peer that has not answered the previous ping is dropped. */
  protected startHeartbeat(intervalMs: number): void {
    if (intervalMs <= 0 || !this.socket) return;
    const socket = this.socket;
    this.heartbeat = setInterval(() => {
      if (this.awaitingPong) {
        this.onerror?.(this.error(`${this.peer} did not answer a ping within ${intervalMs} ms; dropping the connection`));
        socket.terminate();
        return;
      }
      this.awaitingPong = true;
      socket.ping();
    }, intervalMs);
    this.heartbeat.unref();
  }

  protected error(message: string, cause?: unknown, link?: Pick<LinkFault, 'kind' | 'delivered'>): SwitchboardError {
    return linkError(link?.kind ?? 'closed', link?.delivered ?? 'maybe', message, { plugin: PLUGIN_NAME, ...(this.service !== undefined ? { service: this.service } : {}), cause });
  }

  protected finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    // Calls still out get a typed answer (the link closed; they may have been delivered) before
    // the SDK would fail them with a bare "Connection closed".
    if (this.pending.size > 0) {
      const gone = this.error(`the connection to ${this.peer} closed before it answered`);
      for (const answer of this.pending.failAll(gone)) this.onmessage?.(answer as JSONRPCMessage, this.extra);
    }
    this.onclose?.();
  }
}
