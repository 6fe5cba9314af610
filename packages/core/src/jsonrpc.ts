// JSON-RPC 2.0 as Switchboard's contracts speak it, independent of any MCP SDK: a transport plugin
// moves these messages and nothing else, so a change of SDK (or a second protocol era) never
// reaches a plugin. The shapes are those of the JSON-RPC 2.0 specification that MCP uses.

export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId;
  readonly method: string;
  readonly params?: { readonly [key: string]: unknown };
}

export interface JsonRpcNotification {
  readonly jsonrpc: '2.0';
  readonly method: string;
  readonly params?: { readonly [key: string]: unknown };
}

export interface JsonRpcResultResponse {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId;
  readonly result: { readonly [key: string]: unknown };
}

export interface JsonRpcErrorResponse {
  readonly jsonrpc: '2.0';
  readonly id?: JsonRpcId;
  readonly error: { readonly code: number; readonly message: string; readonly data?: unknown };
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResultResponse | JsonRpcErrorResponse;

/**
 * What a client transport checks of a message it read before handing it on: that it is a JSON
 * object. The SDK's Protocol classifies each message with the SDK's own strict JSON-RPC schemas and
 * reports one that fits none (`Unknown message type`), then validates a result against its method's
 * schema; a zod parse of the envelope in the transport only did the first of those twice (2% of the
 * gateway's CPU per call over stdio). What comes before the Protocol (core's list budget and
 * pending requests, the gateway's attribution) reads fields of an object and nothing more.
 */
export function isMessageShaped(value: unknown): value is JsonRpcMessage {
  return isJsonObject(value);
}

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a server-side transport may hand along with a message (the HTTP request it came in). */
export interface MessageExtra {
  readonly authInfo?: unknown;
  readonly requestInfo?: unknown;
  /**
   * The request this message was sent for, when the transport can tell (Streamable HTTP: the POST
   * whose response stream carried it). What an upstream sends while serving a call is tied to the
   * call by this, never by which call happens to be newest.
   */
  readonly relatedRequestId?: JsonRpcId;
}

/** Per-message hints from the protocol layer (the request a message relates to, resumption). */
export interface SendOptions {
  readonly relatedRequestId?: JsonRpcId;
  /** Headers the SDK client adds to one HTTP request (SEP-2243's `Mcp-Param-*` for a tools/call). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly [hint: string]: unknown;
}

/**
 * A bidirectional JSON-RPC link to one MCP peer, as a transport plugin builds it: unstarted until
 * `start()`, then `send()` and `onmessage` until `close()` (or the peer) ends it and `onclose`
 * fires once. The shape is the one the MCP SDKs drive, so core hands it to the SDK's client as it is.
 */
export interface MessageTransport {
  start(): Promise<void>;
  send(message: JsonRpcMessage, options?: SendOptions): Promise<void>;
  close(): Promise<void>;
  // Method signatures (not function-typed properties), so an SDK's transport, whose handlers are
  // typed with its own message types, fits this contract and this contract fits the SDK.
  onmessage?(message: JsonRpcMessage, extra?: MessageExtra): void;
  onerror?(error: Error): void;
  onclose?(): void;
  /** The session the peer assigned (Streamable HTTP's Mcp-Session-Id), when there is one. */
  readonly sessionId?: string;
  /** Told the protocol version negotiated at initialize (HTTP sends it as a header). */
  setProtocolVersion?(version: string): void;
}
