// One MCP link over a TCP socket: each JSON-RPC message is one line of JSON. Built only on core's
// MessageTransport contract and its typed link failures, with no MCP SDK import: this is what a
// third-party transport needs to write.
import type { Socket } from 'node:net';
import { failedAnswer, linkError, PendingRequests, type JsonRpcMessage, type MessageTransport } from '@switchboard/core';

/** Longest line accepted (one message); a longer one ends the link. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export class SocketLink implements MessageTransport {
  onmessage?(message: JsonRpcMessage): void;
  onerror?(error: Error): void;
  onclose?(): void;
  private readonly pending = new PendingRequests();
  private buffer = '';
  private ended = false;
  private socket!: Socket;

  /**
   * `open` gives the connected socket: it connects (a client, and only when the SDK starts the
   * link) or hands over one already accepted (a server).
   */
  constructor(
    private readonly open: () => Promise<Socket>,
    private readonly peer: string,
  ) {}

  async start(): Promise<void> {
    this.socket = await this.open();
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => this.read(chunk));
    this.socket.on('error', (error) => this.onerror?.(linkError('closed', 'maybe', `${this.peer}: ${error.message}`, { cause: error })));
    this.socket.on('close', () => this.finish());
  }

  send(message: JsonRpcMessage): Promise<void> {
    if (this.ended || !this.socket || this.socket.destroyed) return Promise.reject(linkError('closed', 'no', `${this.peer} is closed; nothing was sent`));
    this.pending.sent(message);
    return new Promise((resolve, reject) => {
      this.socket.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(linkError('closed', 'maybe', `sending to ${this.peer} failed: ${error.message}`, { cause: error })) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.ended) return;
    if (!this.socket) {
      this.finish(); // never started
      return;
    }
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    });
    this.finish();
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE_BYTES) {
      this.onerror?.(linkError('too-large', 'maybe', `${this.peer} sent a line of more than ${MAX_LINE_BYTES} bytes`));
      this.socket.destroy();
      return;
    }
    for (let nl = this.buffer.indexOf('\n'); nl !== -1; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line === '') continue;
      let message: JsonRpcMessage;
      try {
        message = JSON.parse(line) as JsonRpcMessage;
      } catch (error) {
        this.onerror?.(linkError('protocol', 'maybe', `${this.peer} sent a line that is not JSON`, { cause: error }));
        continue;
      }
      this.pending.received(message);
      this.onmessage?.(message);
    }
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    // Calls still out are answered with a typed failure before the link reports its close.
    if (this.pending.size > 0) {
      const gone = linkError('closed', 'maybe', `the connection to ${this.peer} closed before it answered`);
      for (const answer of this.pending.failAll(gone)) this.onmessage?.(answer);
    }
    this.onclose?.();
  }
}
