// MCP Streamable HTTP client transport on undici's dispatch API (upstream-exchange.ts). The SDK's
// client goes through fetch and web streams (Request/Response objects, AbortSignal links, a
// TextDecoderStream and an EventSourceParserStream per response), which dominated the cost of every
// upstream call; this one parses each response as it arrives and holds no AbortController.
import type { OutgoingHttpHeaders } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { Pool } from 'undici';
import { CallTable, DEFAULT_MAX_MESSAGE_BYTES, encodeMessage, exceedsJsonDepth, failedAnswer, isMessageShaped, tooDeepAnswer, tooDeepAnswerError, tooDeepError, linkError, SwitchboardError, type JsonRpcId as RequestId, type JsonRpcMessage, type JsonRpcMessage as JSONRPCMessage, type MessageExtra, type McpTransport as Transport, type SendOptions as TransportSendOptions } from '@switchboard/core';
import { SseParser, type SseEvent } from './sse-parser.js';
import { applyModernHeaders, applyParamHeaders, modernVersionOf } from './modern-headers.js';
import { UpstreamExchange, type ExchangeEvents, type UpstreamResponse } from './upstream-exchange.js';

export interface NodeHttpClientOptions {
  url: URL;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /** Headers added to each request at send time (tracing context). */
  requestHeaders?: () => Record<string, string> | undefined;
  /**
   * Give up on a TCP connection not established in this long (default 10 s, as undici's fetch).
   * The error proves the request never left, so the router may fail it over whatever the tool.
   */
  connectTimeoutMs?: number;
  /** Largest JSON body or SSE event read from the server (default DEFAULT_MAX_MESSAGE_BYTES). */
  maxMessageBytes?: number;
  /** Told of each message refused for its size, so the operator learns which upstream sends them. */
  onTooLarge?: (error: SwitchboardError) => void;
}

/** undici's code for the same failure; core reads it as "never delivered". */

/** How much of an error body goes into a message, and how much is read to find a JSON-RPC error in it. */
const ERROR_BODY_LIMIT = 500;
const ERROR_BODY_READ = 4_096;
const RECONNECT_INITIAL_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;


export class NodeHttpClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?(message: JsonRpcMessage, extra?: MessageExtra): void;

  /** Keep-alive connections to the upstream's origin. */
  private readonly pool: Pool;
  private readonly hostname: string;
  private readonly port: string;
  /** Path and query of every request. */
  private readonly path: string;
  /** Basic credentials from the URL's user info (as node:http sent them), unless a header gives its own. */
  private readonly authorization: string | undefined;
  private readonly staticHeaders: Record<string, string>;
  private readonly requestHeaders: NodeHttpClientOptions['requestHeaders'];
  private readonly connectTimeoutMs: number;
  private readonly maxMessageBytes: number;
  private readonly onTooLarge: NodeHttpClientOptions['onTooLarge'];
  /** Every exchange not finished yet (POSTs, their SSE streams, the GET stream), aborted on close. */
  /** Requests on the pool not done yet, by a number of their own. A CallTable, not a Set: they come and go at call rate (see core's call-table.ts). */
  private readonly inFlight = new CallTable<number, UpstreamExchange>();
  private opened = 0;
  private _sessionId: string | undefined;
  private _protocolVersion: string | undefined;
  private started = false;
  private closed = false;
  /** The standalone GET stream: open (its exchange), or wanted again after a timer. */
  private stream: UpstreamExchange | undefined;
  private streamWanted = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = RECONNECT_INITIAL_MS;
  private serverRetryMs: number | undefined;
  private lastEventId: string | undefined;

  constructor(options: NodeHttpClientOptions) {
    const { url } = options;
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`unsupported protocol ${url.protocol} in ${url.href} (want http: or https:)`);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    // No headers or body timeout: a tool may take as long as the router's own timeout lets it, and
    // a stream may stay quiet for as long as it likes (node:http had neither).
    this.pool = new Pool(url.origin, { connect: { timeout: this.connectTimeoutMs }, headersTimeout: 0, bodyTimeout: 0 });
    this.hostname = url.hostname;
    this.port = url.port || (url.protocol === 'https:' ? '443' : '80');
    this.path = `${url.pathname}${url.search}`;
    this.authorization = url.username || url.password ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` : undefined;
    this.staticHeaders = { ...options.headers };
    this.requestHeaders = options.requestHeaders;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.onTooLarge = options.onTooLarge;
  }

  get sessionId(): string | undefined {
    return this._sessionId;
  }

  get protocolVersion(): string | undefined {
    return this._protocolVersion;
  }

  setProtocolVersion(version: string): void {
    this._protocolVersion = version;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('NodeHttpClientTransport already started (Client.connect() starts it)');
    this.started = true;
  }

  /**
   * Resumption tokens (replaying a broken stream by Last-Event-ID) are not supported: a broken
   * stream fails its request instead. `options.headers` carries the SDK client's `Mcp-Param-*`
   * headers for a tools/call (SEP-2243: a tool's `x-mcp-header` parameters mirrored, which the
   * server checks against the body); only those are taken, so nothing else can be overridden.
   */
  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) throw linkError('closed', 'no', 'the transport was closed before the message was sent');
    const body = encodeMessage(message);
    const headers = this.headers('application/json, text/event-stream');
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(body);
    this.applyRequestHeaders(headers);
    applyModernHeaders(headers, message);
    applyParamHeaders(headers, options?.headers);
    return new Promise<void>((resolve, reject) => {
      this.open('POST', headers, body, {
        // Before a response: no connection means the message was not delivered; a connection that
        // broke after it was made may have carried it.
        failed: (error, linked) => reject(this.requestFailure(error, linked)),
        response: (res) => this.onPostResponse(message, res, resolve, reject),
      });
    });
  }

  /** End the session on the server (HTTP DELETE; 405 means the server does not offer that). */
  async terminateSession(): Promise<void> {
    if (!this._sessionId || this.closed) return;
    this.stopStream(); // the session's GET stream ends with it
    const headers = this.headers(undefined);
    this.applyRequestHeaders(headers);
    const res = await new Promise<UpstreamResponse>((resolve, reject) => {
      this.open('DELETE', headers, undefined, { failed: reject, response: resolve });
    });
    const status = res.statusCode ?? 0;
    const text = await readText(res);
    if ((status < 200 || status >= 300) && status !== 405) {
      throw new HttpStatusError(status, `Failed to terminate session (${httpStatus(res)}): ${text}`);
    }
    this._sessionId = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopStream();
    const reason = new Error('Connection closed: the transport was closed');
    for (const exchange of this.inFlight.values()) exchange.abort(reason);
    this.inFlight.clear();
    await this.pool.destroy().catch(() => undefined);
    this.onclose?.();
  }

  private onPostResponse(message: JSONRPCMessage, res: UpstreamResponse, resolve: () => void, reject: (error: Error) => void): void {
    const sessionId = res.headers['mcp-session-id'];
    if (typeof sessionId === 'string' && sessionId) this._sessionId = sessionId;
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const sentSession = this._sessionId !== undefined && !('method' in message && message.method === 'initialize');
      void readText(res, ERROR_BODY_READ).then((body) => {
        const text = cut(body, ERROR_BODY_LIMIT);
        // A modern server refuses a modern request it cannot serve (an unsupported revision, a
        // header that disagrees with the body) with a 4xx whose body is the JSON-RPC error: that
        // is the answer to the request, and how a dual-era client tells a modern server from a
        // legacy one, so it is delivered as the answer rather than as a failed send.
        const answer = status >= 400 && status < 500 ? modernErrorAnswer(message, body) : undefined;
        if (answer) {
          resolve();
          this.onmessage?.(answer);
          return;
        }
        const error = new HttpStatusError(status, `Error POSTing to endpoint (${httpStatus(res)}): ${text}`, body);
        // The server no longer knows the session it gave us (it restarted): the spec says 404, and
        // published servers answer 400 "No valid session ID provided". It refused the request
        // before running it, so the caller may open a new session and send it again.
        if (sentSession && (status === 404 || (status === 400 && /session/i.test(text)))) {
          reject(linkError('session-lost', 'no', `the upstream no longer knows this session (${httpStatus(res)}${text ? `: ${text}` : ''})`, { cause: error, status, details: { status } }));
        } else reject(linkError('http-status', 'maybe', error.message, { cause: error, status }));
      });
      return;
    }
    const pending = 'method' in message && 'id' in message ? message.id : undefined;
    if (status === 202 || pending === undefined) {
      res.resume(); // drained, so the socket goes back to the pool
      resolve();
      if (status === 202 && 'method' in message && message.method === 'notifications/initialized' && !('id' in message)) this.openStream();
      return;
    }
    const type = mediaType(res.headers['content-type']);
    if (type === 'text/event-stream') {
      this.readPostStream(res, pending);
      resolve();
    } else if (type === 'application/json') {
      this.readJson(res, pending).then(resolve, reject);
    } else {
      res.resume();
      reject(linkError('protocol', 'maybe', `Unexpected content type: ${res.headers['content-type'] ?? '(none)'}`));
    }
  }

  /** A POST's SSE stream: deliver its messages; if it ends before the answer, say so at once. */
  private readPostStream(res: UpstreamResponse, request: RequestId): void {
    let pending: RequestId | undefined = request;
    let failure: string | undefined;
    const parser = new SseParser(
      (event) => {
        const message = this.deliverEvent(event, request);
        if (pending !== undefined && message !== undefined && answers(message, pending)) pending = undefined;
      },
      undefined,
      this.sseLimits((size) => {
        // Stop reading at once; the call this stream belongs to fails with the reason.
        const error = this.tooLarge('an SSE event', size);
        res.destroy();
        if (pending === undefined) return;
        const id = pending;
        pending = undefined;
        this.deliver(failedAnswer(id, error));
      }),
    );
    const text = new StringDecoder('utf8');
    res.on('data', (chunk) => parser.push(text.write(chunk)));
    res.on('error', (error) => void (failure = failureName(error)));
    res.on('close', () => {
      if (pending === undefined || this.closed) return;
      const id = pending;
      pending = undefined;
      this.deliver(failedAnswer(id, closedBeforeAnswer(res.complete ? 'stream ended' : (failure ?? 'ECONNRESET'))));
    });
  }

  /** A JSON answer is read whole before send() resolves, as the SDK does: a bad body rejects the send. */
  private readJson(res: UpstreamResponse, request: RequestId): Promise<void> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let refused = false;
      res.on('data', (chunk) => {
        if (refused) return;
        size += chunk.length;
        if (size <= this.maxMessageBytes) {
          chunks.push(chunk);
          return;
        }
        // Drop what was read and the connection; the call fails with the reason, not a cut-off body.
        refused = true;
        chunks.length = 0;
        res.destroy();
        this.deliver(failedAnswer(request, this.tooLarge('a JSON body', size)));
        resolve();
      });
      res.on('error', (error) => {
        if (!refused) reject(linkError('closed', 'maybe', `the answer broke off: ${error.message}`, { cause: error }));
      });
      res.on('close', () => {
        if (!res.complete && !refused) reject(closedBeforeAnswer('body cut off'));
      });
      res.on('end', () => {
        let messages: unknown[];
        try {
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          if (exceedsJsonDepth(text)) {
            reject(tooDeepAnswerError('the upstream'));
            return;
          }
          const value: unknown = JSON.parse(text);
          messages = Array.isArray(value) ? value : [value];
          for (const m of messages) if (!isMessageShaped(m)) throw new SyntaxError(`not a JSON-RPC message: ${text.slice(0, ERROR_BODY_LIMIT)}`);
        } catch (error) {
          reject(linkError('protocol', 'maybe', (error as Error).message, { cause: error }));
          return;
        }
        let answered = false;
        for (const m of messages as JSONRPCMessage[]) {
          this.deliver(m, request);
          if (answers(m, request)) answered = true;
        }
        if (!answered && !this.closed) this.deliver(failedAnswer(request, closedBeforeAnswer('stream ended')));
        resolve();
      });
    });
  }

  /** Open the standalone GET stream on which the server sends messages outside any request. */
  private openStream(): void {
    if (this.closed || this.stream) return;
    this.streamWanted = true;
    let headers: OutgoingHttpHeaders;
    try {
      headers = this.headers('text/event-stream');
      if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
      this.applyRequestHeaders(headers);
    } catch (error) {
      // Runs from a response handler or a timer: a throw here (a bad header) must not escape.
      this.streamWanted = false;
      this.onerror?.(error as Error);
      return;
    }
    // Assigned before any event can fire: failures are reported asynchronously (upstream-exchange.ts).
    let req: UpstreamExchange | undefined;
    const gone = (error: Error | undefined, retry: boolean): void => {
      if (req === undefined || this.stream !== req) return; // stopped, or already handled
      this.stream = undefined;
      if (this.closed || !this.streamWanted) return;
      if (error) this.onerror?.(error);
      if (retry) this.scheduleReconnect();
      else this.streamWanted = false;
    };
    const events: ExchangeEvents = {
      failed: (error) => gone(new Error(`SSE stream disconnected: ${error.message}`, { cause: error }), true),
      response: (res) => {
      const status = res.statusCode ?? 0;
      if (status === 405) {
        res.resume(); // the server offers no stream: normal
        gone(undefined, false);
        return;
      }
      if (status < 200 || status >= 300) {
        // 4xx will not change by asking again (404: the session is gone); 5xx may.
        void readText(res).then((text) => gone(new HttpStatusError(status, `Failed to open SSE stream (${httpStatus(res)}): ${text}`), status >= 500));
        return;
      }
      this.reconnectDelay = RECONNECT_INITIAL_MS;
      let failure: Error | undefined;
      const parser = new SseParser(
        (event) => void this.deliverEvent(event),
        (ms) => void (this.serverRetryMs = ms),
        this.sseLimits((size) => {
          // The stream is dropped and opened again after the usual backoff.
          failure = this.tooLarge('an SSE event on the GET stream', size);
          res.destroy(failure);
        }),
      );
      const text = new StringDecoder('utf8');
      res.on('data', (chunk) => {
        parser.push(text.write(chunk));
        this.lastEventId = parser.lastEventId ?? this.lastEventId;
      });
      res.on('error', (error) => void (failure = error));
      res.on('close', () => gone(res.complete ? undefined : new Error(`SSE stream disconnected: ${failure?.message ?? 'aborted'}`, { cause: failure }), true));
      },
    };
    req = this.open('GET', headers, undefined, events);
    this.stream = req;
  }

  private scheduleReconnect(): void {
    const delay = Math.min(this.serverRetryMs ?? this.reconnectDelay, RECONNECT_MAX_MS);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.streamWanted) this.openStream();
    }, delay);
  }

  private stopStream(): void {
    this.streamWanted = false;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const req = this.stream;
    this.stream = undefined;
    req?.abort(new Error('the stream was stopped'));
  }

  private sseLimits(onTooLarge: (size: number) => void): { maxEventChars: number; onTooLarge: (size: number) => void } {
    return { maxEventChars: this.maxMessageBytes, onTooLarge };
  }

  /** The error for a refused message, reported once to the owner and returned for the call. */
  private tooLarge(what: string, size: number): SwitchboardError {
    const error = linkError(
      'too-large',
      'maybe',
      `the upstream sent ${what} of more than ${this.maxMessageBytes} bytes (read ${size} before refusing it); raise the server entry's maxMessageBytes if this is expected`,
      { details: { limit: this.maxMessageBytes, read: size } },
    );
    this.onTooLarge?.(error);
    return error;
  }

  /**
   * A request that failed before any response. An error already typed stays as it is; undici's
   * connect timeout says so in our words; otherwise, with no socket connected the message cannot
   * have left.
   */
  private requestFailure(error: Error, linked: boolean): SwitchboardError {
    if (SwitchboardError.is(error) && error.link) return error;
    if ((error as NodeJS.ErrnoException).code === 'UND_ERR_CONNECT_TIMEOUT') {
      return linkError('connect', 'no', `Connect Timeout: no connection to ${this.hostname}:${this.port} within ${this.connectTimeoutMs} ms`, { cause: error });
    }
    return linked
      ? linkError('closed', 'maybe', `the connection broke while sending: ${error.message}`, { cause: error })
      : linkError('connect', 'no', `no connection: ${error.message}`, { cause: error });
  }

  /** A request on the pool, tracked until it is done so close() can end it. */
  private open(method: 'POST' | 'GET' | 'DELETE', headers: OutgoingHttpHeaders, body: string | undefined, events: ExchangeEvents): UpstreamExchange {
    if (this.authorization !== undefined && !hasHeader(headers, 'authorization')) headers.authorization = this.authorization;
    const slot = ++this.opened;
    const exchange = new UpstreamExchange(events, () => void this.inFlight.delete(slot));
    this.inFlight.set(slot, exchange);
    this.pool.dispatch({ path: this.path, method, headers: headers as Record<string, string | string[]>, body }, exchange);
    return exchange;
  }

  /** Session, version and static headers; the static ones may override, as with the SDK. */
  private headers(accept: string | undefined): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {};
    if (this._sessionId) headers['mcp-session-id'] = this._sessionId;
    if (this._protocolVersion) headers['mcp-protocol-version'] = this._protocolVersion;
    for (const name in this.staticHeaders) headers[name] = this.staticHeaders[name];
    if (accept) headers.accept = accept;
    return headers;
  }

  private applyRequestHeaders(headers: OutgoingHttpHeaders): void {
    const extra = this.requestHeaders?.();
    if (!extra) return;
    for (const name in extra) {
      // One header per name: a per-call value (an exchanged token) replaces a configured one, whatever its case.
      const lower = name.toLowerCase();
      for (const existing of Object.keys(headers)) if (existing !== name && existing.toLowerCase() === lower) delete headers[existing];
      headers[name] = extra[name];
    }
  }

  /** An SSE event for us ('message', with data): parsed and delivered; returns the message. */
  /** `related`: the request whose POST stream carried the event (undefined on the GET stream). */
  private deliverEvent(event: SseEvent, related?: RequestId): JSONRPCMessage | undefined {
    if ((event.event !== undefined && event.event !== 'message') || event.data === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(event.data);
    } catch (error) {
      this.onerror?.(error as Error);
      return undefined;
    }
    if (exceedsJsonDepth(event.data)) {
      // An answer fails its call now (not at its timeout); anything else is reported and dropped.
      const refused = tooDeepAnswer(value, 'the upstream');
      if (refused) this.deliver(refused, related);
      else this.onerror?.(tooDeepError('the upstream'));
      return refused;
    }
    if (!isMessageShaped(value)) {
      this.onerror?.(new SyntaxError(`not a JSON-RPC message: ${event.data.slice(0, ERROR_BODY_LIMIT)}`));
      return undefined;
    }
    this.deliver(value, related);
    return value;
  }

  /**
   * Hand a message up. `related` names the request whose POST it came back on: what the server
   * sends while serving a call (progress, log messages, its own requests) is then tied to that
   * call structurally, not guessed.
   */
  private deliver(message: JSONRPCMessage, related?: RequestId): void {
    if (this.closed) return;
    try {
      if (related === undefined) this.onmessage?.(message as JsonRpcMessage);
      else this.onmessage?.(message as JsonRpcMessage, { relatedRequestId: related });
    } catch (error) {
      this.onerror?.(error as Error);
    }
  }
}

function answers(message: JSONRPCMessage, id: RequestId): boolean {
  return 'id' in message && message.id === id && !('method' in message);
}

/** The request went out (or may have) and the answer never came: delivery unknown. */
function closedBeforeAnswer(reason: string): SwitchboardError {
  return linkError('closed', 'maybe', `Connection closed before the upstream answered (${reason})`);
}

function httpStatus(res: UpstreamResponse): string {
  return res.statusMessage ? `HTTP ${res.statusCode} ${res.statusMessage}` : `HTTP ${res.statusCode}`;
}

function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** The body as text, cut to ERROR_BODY_LIMIT; the rest is drained so the socket can be reused. */
function readText(res: UpstreamResponse, limit = ERROR_BODY_LIMIT): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    let over = false;
    const decoder = new StringDecoder('utf8');
    res.on('data', (chunk) => {
      if (text.length < limit) text += decoder.write(chunk);
      else over = true;
    });
    const done = (): void => resolve(text.length > limit || over ? `${text.slice(0, limit)}…` : text);
    res.on('end', done);
    res.on('error', done);
    res.on('close', done);
  });
}

function hasHeader(headers: OutgoingHttpHeaders, name: string): boolean {
  for (const key in headers) if (key.toLowerCase() === name) return true;
  return false;
}

/** Why a response broke off, as a short name: undici's "other side closed" is a reset by the peer. */
function failureName(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'UND_ERR_SOCKET') return 'ECONNRESET';
  return code ?? error.message;
}

function cut(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/**
 * The versions a modern-only server names when it refuses `initialize` (the specification asks it
 * to: UnsupportedProtocolVersionError, -32022, with `data.supported`), or undefined for any other body.
 */
export function modernOnlyVersions(body: string | undefined): string[] | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; data?: { supported?: unknown } } };
    if (parsed.error?.code !== -32022) return undefined;
    const supported = parsed.error.data?.supported;
    return Array.isArray(supported) ? supported.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return undefined;
  }
}

/** The JSON-RPC error answering `request` in a refusal body, when `request` is a modern request. */
function modernErrorAnswer(request: JSONRPCMessage, text: string): JSONRPCMessage | undefined {
  if (modernVersionOf(request) === undefined) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const b = body as { jsonrpc?: unknown; id?: unknown; error?: { code?: unknown; message?: unknown } };
  const id = (request as { id: unknown }).id;
  if (b?.jsonrpc !== '2.0' || b.id !== id || typeof b.error?.code !== 'number' || typeof b.error.message !== 'string') return undefined;
  return body as JSONRPCMessage;
}

/** The status an HTTP exchange failed with, kept as the cause of the typed link failure. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The start of the response body (up to ERROR_BODY_LIMIT characters), to read a JSON-RPC error from. */
    readonly body?: string,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}
