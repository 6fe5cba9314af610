// The server side of one Streamable HTTP client session, written on node:http directly. The SDK's
// transport converts every request and response to web streams (through @hono/node-server) and
// answers every request with an SSE stream; a profile of the gateway put most of its cost there.
// This one writes to the socket, and answers a POST with plain JSON when nothing but the response is
// sent for it, switching to SSE the moment a progress note, a log line or a server-to-client request
// has to go first, or when the call runs long enough to need keep-alives. The spec lets a server pick
// either per request, and clients must accept both.
//
// It also accepts a session it never saw initialized: `replayInitialize` feeds the SDK Server the
// client's original initialize from a session token, which is how another gateway instance resumes a
// session (see session-token.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Transport, type TransportSendOptions, SUPPORTED_PROTOCOL_VERSIONS, type InitializeRequest, type JSONRPCMessage, type MessageExtraInfo, type RequestId } from '../sdk/mcp.js';
import { CallTable } from '@switchboard/core';
import { isRequest, isResponse } from './jsonrpc-wire.js';
import { writeRpcError } from './rpc-error.js';
import { SSE_HEADERS, sseEvent } from './sse-wire.js';

export interface HttpSessionTransportOptions {
  sessionId: string;
  /** An SSE stream with nothing to send for this long gets a comment, so idle proxies keep it (default 15 s). */
  keepAliveMs?: number;
  /**
   * This gateway instance's tag. Requests the server sends the client (sampling, elicitation,
   * roots) carry it in their id, so that an answer the load balancer hands to another instance can
   * be relayed back here (see `onForeignAnswer` and `deliverAnswer`).
   */
  instanceTag?: string;
  /** The client answered, on this instance, a request another instance sent it. */
  onForeignAnswer?: (instanceTag: string, answer: JSONRPCMessage) => void;
  /**
   * Bytes a client stream may leave unread (default 4 MiB). A stream already over it when there is
   * more to send belongs to a client that does not read: it is cut, and the calls it was waiting
   * for are cancelled upstream, so one stalled client costs a bounded amount of memory.
   */
  maxBufferedBytes?: number;
  /** Requests of this session being served at once (default 64); more are refused with 429. */
  maxInFlight?: number;
  /** Told when a stream was cut for not being read. */
  onSlowClient?: (detail: { buffered: number; cancelled: number }) => void;
}

/** Separates the instance tag from the server's own id in the id of a server-to-client request. */
const TAG_SEPARATOR = '~';

/** One POST that carried requests: where their responses (and what is sent while serving them) go. */
interface Exchange {
  readonly res: ServerResponse | undefined;
  readonly batch: boolean;
  readonly waiting: Set<RequestId>;
  readonly responses: JSONRPCMessage[];
  sse: boolean;
  done: boolean;
  timer: NodeJS.Timeout | undefined;
  /** For the replayed initialize, which has no HTTP response. */
  settle?: (response: JSONRPCMessage) => void;
}

const RESUME_ID = '__switchboard_resume__';

export class HttpSessionTransport implements Transport {
  readonly sessionId: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  private readonly keepAliveMs: number;
  private readonly tag: string | undefined;
  private readonly onForeignAnswer: HttpSessionTransportOptions['onForeignAnswer'];
  private readonly maxBufferedBytes: number;
  private readonly maxInFlight: number;
  private readonly onSlowClient: HttpSessionTransportOptions['onSlowClient'];
  /** Id on the wire → the Server's own id, for requests sent to the client and not answered yet. */
  private readonly asked = new Map<string, RequestId>();
  /** Exchanges by the requests they wait on. A CallTable: entries come and go at call rate (see core's call-table.ts). */
  private readonly byRequest = new CallTable<RequestId, Exchange>();
  private standalone: { res: ServerResponse; timer: NodeJS.Timeout } | undefined;
  private closed = false;
  /** The client ended the session with DELETE (rather than it expiring or the gateway closing). */
  deleted = false;
  /**
   * Sees each client message before the Server does; true means it serves the message itself and
   * answers with send(), as the Server would (the gateway's call lane, legacy-call-lane.ts).
   */
  interceptor?: (message: JSONRPCMessage) => boolean;

  constructor(options: HttpSessionTransportOptions) {
    this.sessionId = options.sessionId;
    this.keepAliveMs = options.keepAliveMs ?? 15_000;
    this.tag = options.instanceTag;
    this.onForeignAnswer = options.onForeignAnswer;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.maxInFlight = options.maxInFlight ?? 64;
    this.onSlowClient = options.onSlowClient;
  }

  /** Requests of this session being served now. */
  get inFlight(): number {
    return this.byRequest.size;
  }

  async start(): Promise<void> {}

  /**
   * Serve one POST whose body the caller already read and checked (see jsonrpc-wire.ts). Returns once
   * the messages are handed to the server; the response is written as the server answers.
   */
  handlePost(req: IncomingMessage, res: ServerResponse, messages: readonly JSONRPCMessage[], batch: boolean): void {
    const problem = this.checkHeaders(req, 'post');
    if (problem) return writeRpcError(res, problem.status, -32000, problem.message);
    // Ended (DELETE, expiry) between the lookup and now: nothing would ever answer.
    if (this.closed) return writeRpcError(res, 404, -32001, 'Session not found');
    // Nothing downstream reads the HTTP request (auth is checked before a session sees a message).
    const extra: MessageExtraInfo = {};
    const requests = messages.filter(isRequest);
    // A second request with the id of one still being served would take over its answer.
    const reused = requests.find((r, i) => this.byRequest.has(r.id) || requests.findIndex((o) => o.id === r.id) !== i);
    if (reused) return writeRpcError(res, 400, -32600, `Invalid Request: request id ${JSON.stringify(reused.id)} is already in use in this session`);
    if (requests.length > 0 && this.byRequest.size + requests.length > this.maxInFlight) {
      return writeRpcError(res, 429, -32000, `Too many requests in flight in this session (at most ${this.maxInFlight}); wait for some to finish`, { 'retry-after': '1' });
    }
    if (requests.length === 0) {
      // Notifications and answers to our own requests: accepted, nothing to stream back.
      res.writeHead(202).end();
      for (const m of messages) this.receive(m, extra);
      return;
    }
    const exchange: Exchange = { res, batch, waiting: new Set(requests.map((r) => r.id)), responses: [], sse: false, done: false, timer: undefined };
    for (const r of requests) this.byRequest.set(r.id, exchange);
    exchange.timer = setInterval(() => this.keepAlive(exchange), this.keepAliveMs);
    // A client that goes away does not cancel its requests (the spec says so); their answers are dropped.
    res.once('close', () => this.finish(exchange));
    for (const m of messages) this.receive(m, extra);
  }

  /** The client holds its standalone SSE stream open: it is connected, not idle. */
  get streaming(): boolean {
    return this.standalone !== undefined;
  }

  /** The standalone SSE stream: notifications and requests that belong to no client request. */
  handleGet(req: IncomingMessage, res: ServerResponse): void {
    const problem = this.checkHeaders(req, 'get');
    if (problem) return writeRpcError(res, problem.status, -32000, problem.message);
    if (this.standalone) return writeRpcError(res, 409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': this.sessionId });
    res.flushHeaders();
    const stream = { res, timer: setInterval(() => this.write(res, ': keepalive\n\n', undefined), this.keepAliveMs) };
    this.standalone = stream;
    res.once('close', () => {
      clearInterval(stream.timer);
      if (this.standalone === stream) this.standalone = undefined;
    });
  }

  /** DELETE: the client ends the session. */
  async handleDelete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const problem = this.checkHeaders(req, 'delete');
    if (problem) return writeRpcError(res, problem.status, -32000, problem.message);
    this.deleted = true;
    res.writeHead(200).end();
    await this.close();
  }

  /**
   * Make the SDK Server believe the client initialized on this transport: feed it the client's
   * original initialize (and `initialized`) and swallow the answer. The Server then knows the
   * client's capabilities, name and protocol version exactly as the instance that met it did.
   */
  async replayInitialize(params: InitializeRequest['params']): Promise<void> {
    const answered = new Promise<JSONRPCMessage>((resolve) => {
      const exchange: Exchange = { res: undefined, batch: false, waiting: new Set([RESUME_ID]), responses: [], sse: false, done: false, timer: undefined, settle: resolve };
      this.byRequest.set(RESUME_ID, exchange);
    });
    this.onmessage?.({ jsonrpc: '2.0', id: RESUME_ID, method: 'initialize', params });
    const response = await answered;
    if ('error' in response) throw new Error(`resuming the session failed: ${JSON.stringify(response.error)}`);
    this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  /** An answer another instance received for a request this one sent (relayed through the store). */
  deliverAnswer(answer: JSONRPCMessage): void {
    if (!this.closed) this.receive(answer, undefined);
  }

  async send(outgoing: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) return;
    const message = this.tagOutgoing(outgoing);
    const response = isResponse(message);
    const related = response ? message.id : options?.relatedRequestId;
    if (related === undefined) {
      // Belongs to no request: the standalone stream, if the client opened one (else it is lost, as
      // the spec allows; list_changed and resource updates are the only such messages we send).
      if (this.standalone) this.write(this.standalone.res, sseEvent(message), undefined);
      return;
    }
    const exchange = this.byRequest.get(related);
    if (!exchange || exchange.done) return; // its client went away
    if (!response) {
      this.toSse(exchange);
      if (exchange.res) this.write(exchange.res, sseEvent(message), exchange);
      return;
    }
    exchange.waiting.delete(related);
    this.byRequest.delete(related);
    if (exchange.settle) {
      exchange.done = true;
      return exchange.settle(message);
    }
    if (exchange.sse) {
      if (exchange.res && !this.write(exchange.res, sseEvent(message), exchange)) return;
    } else exchange.responses.push(message);
    if (exchange.waiting.size > 0) return;
    if (!exchange.sse && exchange.res) {
      const body = JSON.stringify(exchange.batch ? exchange.responses : exchange.responses[0]);
      // With its length, node sends headers and body as they are; without, it frames the body in
      // chunks (a size line before it, a terminator after), which every client must then parse.
      exchange.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'mcp-session-id': this.sessionId }).end(body);
    } else {
      exchange.res?.end();
    }
    this.finish(exchange);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.asked.clear();
    for (const exchange of new Set(this.byRequest.values())) {
      exchange.res?.end();
      this.finish(exchange);
    }
    if (this.standalone) {
      clearInterval(this.standalone.timer);
      this.standalone.res.end();
      this.standalone = undefined;
    }
    this.onclose?.();
  }

  /**
   * The client cancelled one of its requests: the Server sends no answer for it (as the spec says),
   * so stop waiting for one, or its POST would stay open and its in-flight slot taken for good.
   */
  private forgetCancelled(message: JSONRPCMessage): void {
    if (!('method' in message) || message.method !== 'notifications/cancelled' || 'id' in message) return;
    const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
    if (requestId === undefined) return;
    const exchange = this.byRequest.get(requestId);
    if (!exchange || exchange.settle) return;
    this.byRequest.delete(requestId);
    exchange.waiting.delete(requestId);
    if (exchange.waiting.size > 0 || !exchange.res) return;
    // Whatever else the POST carried has been answered already: end it as an SSE stream.
    this.toSse(exchange);
    exchange.res.end();
    this.finish(exchange);
  }

  /** Hand a client message to the Server, unless it answers a request another instance sent. */
  private receive(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): void {
    if (this.tag !== undefined && isResponse(message) && typeof message.id === 'string') {
      const cut = message.id.indexOf(TAG_SEPARATOR);
      if (cut > 0) {
        const tag = message.id.slice(0, cut);
        if (tag !== this.tag) return this.onForeignAnswer?.(tag, message);
        const own = this.asked.get(message.id);
        if (own === undefined) return; // answered already, or cancelled
        this.asked.delete(message.id);
        return this.onmessage?.({ ...message, id: own } as JSONRPCMessage, extra);
      }
    }
    this.deliver(message, extra);
    this.forgetCancelled(message);
  }

  private deliver(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (this.interceptor?.(message)) return;
    this.onmessage?.(message, extra);
  }

  /** Tag the id of a request to the client, and of the Server's cancellation of one. */
  private tagOutgoing(message: JSONRPCMessage): JSONRPCMessage {
    if (this.tag === undefined || !('method' in message)) return message;
    if ('id' in message && message.id !== undefined) {
      const wire = `${this.tag}${TAG_SEPARATOR}${String(message.id)}`;
      this.asked.set(wire, message.id);
      return { ...message, id: wire } as JSONRPCMessage;
    }
    if (message.method === 'notifications/cancelled' && message.params && 'requestId' in message.params) {
      const wire = `${this.tag}${TAG_SEPARATOR}${String(message.params.requestId)}`;
      if (!this.asked.delete(wire)) return message; // it cancels a request of the client's, not ours
      return { ...message, params: { ...message.params, requestId: wire } } as JSONRPCMessage;
    }
    return message;
  }

  private keepAlive(exchange: Exchange): void {
    if (exchange.done || !exchange.res) return;
    this.toSse(exchange);
    this.write(exchange.res, ': keepalive\n\n', exchange);
  }

  /**
   * Write to a client stream unless the client has stopped reading it: a stream that already holds
   * more than maxBufferedBytes unsent is cut instead (a single large message still goes through),
   * and the requests it carries are cancelled. Returns whether the text was written.
   */
  private write(res: ServerResponse, text: string, exchange: Exchange | undefined): boolean {
    if (res.destroyed) return false;
    const buffered = res.writableLength;
    if (buffered <= this.maxBufferedBytes) {
      res.write(text);
      return true;
    }
    const cancelled = exchange ? [...exchange.waiting] : [];
    if (exchange) this.finish(exchange);
    res.destroy();
    this.onSlowClient?.({ buffered, cancelled: cancelled.length });
    // As if the client had cancelled them: the Server aborts their handlers, which cancel upstream.
    for (const requestId of cancelled) {
      this.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'the client stopped reading its response stream' } });
    }
    return false;
  }

  /** Commit to SSE: headers now, then whatever responses of the batch were already in. */
  private toSse(exchange: Exchange): void {
    if (exchange.sse || !exchange.res) return;
    exchange.sse = true;
    exchange.res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': this.sessionId });
    for (const r of exchange.responses) exchange.res.write(sseEvent(r));
    exchange.responses.length = 0;
  }

  private finish(exchange: Exchange): void {
    if (exchange.done && exchange.timer === undefined) return;
    exchange.done = true;
    clearInterval(exchange.timer);
    exchange.timer = undefined;
    for (const id of exchange.waiting) if (this.byRequest.get(id) === exchange) this.byRequest.delete(id);
    exchange.waiting.clear();
  }

  private checkHeaders(req: IncomingMessage, kind: 'post' | 'get' | 'delete'): { status: number; message: string } | undefined {
    const accept = req.headers.accept ?? '';
    if (kind === 'post') {
      if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
        return { status: 406, message: 'Not Acceptable: Client must accept both application/json and text/event-stream' };
      }
      const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
      if (type !== 'application/json') return { status: 415, message: 'Unsupported Media Type: Content-Type must be application/json' };
    } else if (kind === 'get' && !accept.includes('text/event-stream')) {
      return { status: 406, message: 'Not Acceptable: Client must accept text/event-stream' };
    }
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return { status: 400, message: `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})` };
    }
    return undefined;
  }
}
