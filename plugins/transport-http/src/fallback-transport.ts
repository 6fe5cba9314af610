// Streamable HTTP with fallback to the legacy HTTP+SSE transport, the way the MCP spec's
// backwards-compatibility section tells clients to do it: POST the initialize request; if the
// server answers 4xx (it predates Streamable HTTP), open the SSE stream and send it there instead.
import { SSEClientTransport } from '@modelcontextprotocol/client';
import { type JsonRpcMessage as JSONRPCMessage, type McpTransport, type SendOptions as TransportSendOptions, DEFAULT_MAX_MESSAGE_BYTES, encodeMessage, linkError, tooDeepAnswer, tooDeepError, valueExceedsJsonDepth, linkFaultOf, SwitchboardError, type Logger } from '@switchboard/core';
import { eventSizeGuard } from './event-size-guard.js';
import { HttpStatusError, modernOnlyVersions, NodeHttpClientTransport } from './node-http-client-transport.js';

export interface FallbackOptions {
  url: URL;
  headers: Record<string, string>;
  logger: Logger;
  /** 'http' tries Streamable HTTP first; 'sse' goes straight to the legacy transport. */
  mode: 'http' | 'sse';
  /** Headers added to each request at send time (tracing context). */
  requestHeaders?: () => Record<string, string> | undefined;
  /** Largest message accepted from the server (default DEFAULT_MAX_MESSAGE_BYTES). */
  maxMessageBytes?: number;
}

/**
 * The fetch every legacy SSE request goes through (Streamable HTTP uses node:http directly). It adds per-request headers (tracing), and gives each
 * request its own AbortSignal linked to the one the SDK passes: the SDK hands its transport-wide
 * signal to every request, and undici drops its listener on that signal only at garbage collection,
 * so a busy long-lived connection would pile up thousands of listeners. The link is removed when
 * the response body ends (an SSE stream stays abortable while it is read).
 */
const inFlight = new WeakMap<AbortSignal, Set<AbortController>>();

/** Tie a request's own controller to the transport's signal with one listener per signal, not per request. */
function link(parent: AbortSignal, own: AbortController): () => void {
  let set = inFlight.get(parent);
  if (!set) {
    const controllers = (set = new Set());
    inFlight.set(parent, controllers);
    parent.addEventListener(
      'abort',
      () => {
        for (const c of controllers) c.abort(parent.reason);
        controllers.clear();
      },
      { once: true },
    );
  }
  set.add(own);
  return () => void set.delete(own);
}

function requestFetch(requestHeaders: FallbackOptions['requestHeaders']): typeof fetch {
  return async (input, init) => {
    const extra = requestHeaders?.();
    let headers = init?.headers;
    if (extra) {
      const merged = new Headers(init?.headers);
      for (const [k, v] of Object.entries(extra)) merged.set(k, v);
      headers = merged;
    }
    const parent = init?.signal ?? undefined;
    if (!parent) return fetch(input, { ...init, ...(headers ? { headers } : {}) });
    const own = new AbortController();
    if (parent.aborted) own.abort(parent.reason);
    const unlink = parent.aborted ? () => undefined : link(parent, own);
    let response: Response;
    try {
      response = await fetch(input, { ...init, ...(headers ? { headers } : {}), signal: own.signal });
    } catch (error) {
      unlink();
      throw error;
    }
    if (!response.body) {
      unlink();
      return response;
    }
    const body = response.body.pipeThrough(new TransformStream({ flush: unlink }));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

export class StreamableHttpWithSseFallback implements McpTransport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: McpTransport['onmessage'];
  private inner: McpTransport | undefined;
  private negotiatedVersion: string | undefined;
  private closed = false;

  constructor(private readonly options: FallbackOptions) {}

  get sessionId(): string | undefined {
    return this.inner?.sessionId;
  }

  /** Which wire protocol was settled on, once the first message went out. */
  get activeProtocol(): 'streamable-http' | 'sse' | undefined {
    if (!this.inner) return undefined;
    return this.inner instanceof SSEClientTransport ? 'sse' : 'streamable-http';
  }

  async start(): Promise<void> {
    // The protocol is chosen on the first send (the initialize request).
    if (this.options.mode === 'sse') await this.use(this.createSse());
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.inner) {
      // SDK v2 forgets a call whose send() failed by itself (SDK v1 kept its handlers for good).
      if (!(this.inner instanceof SSEClientTransport)) return this.inner.send(message, options);
      // The SDK's SSE transport would throw JSON.stringify's own error: fail as the caller's instead.
      encodeMessage(message);
      return this.inner.send(message).catch((error: unknown) => Promise.reject(sseSendFailure(error)));
    }
    const { url, headers, requestHeaders, maxMessageBytes } = this.options;
    const streamable = new NodeHttpClientTransport({
      url,
      headers,
      ...(requestHeaders ? { requestHeaders } : {}),
      ...(maxMessageBytes !== undefined ? { maxMessageBytes } : {}),
      onTooLarge: (error) => this.options.logger.warn('upstream message refused: too large', { error: error.message, limit: error.details }),
    });
    await this.use(streamable);
    try {
      await streamable.send(message, options);
    } catch (error) {
      const fault = linkFaultOf(error);
      const status = fault?.kind === 'http-status' ? fault.status : undefined;
      if (status === undefined || status < 400 || status >= 500 || status === 401 || status === 403) throw error;
      // Only the legacy opening (initialize) tells the transports apart: a refused modern probe
      // (server/discover) says the server is legacy, not which legacy transport it speaks, so the
      // choice waits for the initialize that follows.
      if (!('method' in message) || message.method !== 'initialize') {
        this.detach(streamable);
        await streamable.close().catch(() => undefined);
        this.inner = undefined;
        throw error;
      }
      // A modern-only server refusing initialize says so in the body: no older transport will do better.
      const cause = (error as { cause?: unknown }).cause;
      const versions = cause instanceof HttpStatusError ? modernOnlyVersions(cause.body) : undefined;
      if (versions) {
        throw linkError('http-status', 'no', `it refused initialize: it speaks only MCP ${versions.join(', ') || '2026-07-28 or later'} (set protocol: auto or modern on its entry)`, {
          cause: error,
          status,
          code: 'PROTOCOL_UNSUPPORTED',
        });
      }
      this.options.logger.info('server does not speak Streamable HTTP; falling back to HTTP+SSE', { status, url: this.options.url.href });
      this.detach(streamable);
      await streamable.close().catch(() => undefined);
      this.inner = undefined;
      const sse = this.createSse();
      await this.use(sse);
      await sse.send(message).catch((e: unknown) => Promise.reject(sseSendFailure(e)));
    }
  }

  /** End the upstream MCP session (HTTP DELETE), where the active transport has one. */
  async terminateSession(): Promise<void> {
    const inner = this.inner;
    if (inner instanceof NodeHttpClientTransport) await inner.terminateSession();
  }

  get protocolVersion(): string | undefined {
    return this.negotiatedVersion;
  }

  setProtocolVersion(version: string): void {
    this.negotiatedVersion = version;
    this.inner?.setProtocolVersion?.(version);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const inner = this.inner;
    if (inner) {
      await inner.close(); // its onclose forwards ours
    } else {
      this.onclose?.();
    }
  }

  private createSse(): SSEClientTransport {
    // Legacy servers serve the event stream at the configured URL (conventionally /sse).
    return new SSEClientTransport(this.options.url, {
      requestInit: { headers: this.options.headers },
      fetch: requestFetch(this.options.requestHeaders),
      eventSourceInit: {
        fetch: async (input, init) => {
          const response = await fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...this.options.headers } });
          if (!response.body) return response;
          // The legacy stream carries every message: one event over the limit ends it (the SDK then reports the stream lost).
          const limit = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
          const body = response.body.pipeThrough(
            eventSizeGuard(limit, (size) => this.options.logger.warn('upstream message refused: too large', { limit, read: size, stream: 'legacy SSE' })),
          );
          return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
        },
      },
    });
  }

  private async use(inner: McpTransport): Promise<void> {
    this.inner = inner;
    inner.onmessage =
      inner instanceof SSEClientTransport
        ? (message, extra) => {
            // The SDK's SSE client parses events itself, so the depth the other intakes read from the
            // text is read here from the value: an answer too deep fails its call now, not at its timeout.
            if (valueExceedsJsonDepth(message)) {
              const refused = tooDeepAnswer(message, 'the upstream');
              if (refused) this.onmessage?.(refused, extra);
              else this.onerror?.(tooDeepError('the upstream'));
              return;
            }
            this.onmessage?.(message, extra);
          }
        : (message, extra) => this.onmessage?.(message, extra);
    inner.onerror = (error) => this.onerror?.(error);
    inner.onclose = () => {
      if (this.inner === inner) this.onclose?.();
    };
    if (this.negotiatedVersion) inner.setProtocolVersion?.(this.negotiatedVersion);
    await inner.start();
  }

  private detach(inner: McpTransport): void {
    inner.onmessage = undefined;
    inner.onerror = undefined;
    inner.onclose = undefined;
  }
}

/** Node's codes for a connection that could not be made (undici's fetch puts them on `cause`). */
const NO_CONNECTION = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** The SDK's legacy SSE transport fails a POST with fetch's error: type it by the errno on its causes. */
function sseSendFailure(error: unknown): SwitchboardError {
  if (SwitchboardError.is(error) && error.link) return error;
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NO_CONNECTION.has(code)) return linkError('connect', 'no', `no connection: ${(error as Error).message} (${code})`, { cause: error });
  }
  return linkError('closed', 'maybe', (error as Error).message, { cause: error });
}
