// The gateway's own path for the 2026-07-28 request that is most of the traffic: a first-round
// `tools/call`. The SDK's entry (createMcpHandler) serves every 2026-07-28 request by converting
// the node request to a web Request, building and connecting a Server for it, and converting the web
// Response back; a profile of the gateway put most of its CPU per modern call there (more than the
// routing and the upstream call together). This lane serves such a call on node:http directly:
//
// - It takes a request only when the SDK's own classifier (classifyInboundRequest, the entry's first
//   rung, which validates the `_meta` envelope) routes it to 2026-07-28, and when the standard
//   headers are present and agree with the body, so every check the entry applies before dispatch
//   comes out the same. Anything else (a batch, a progress token, a retried round, a task-augmented
//   call, a header missing or disagreeing, any other method) goes to the SDK's entry, which answers
//   or refuses it as before.
// - It runs the handler the SDK would run (GatewaySession.callTool) with a CallScope of its own.
// - It encodes the answer as the SDK's 2026-07-28 codec does: `content: []` for a contentless
//   result, `resultType: 'complete'`, the gateway's serverInfo in `_meta`, handler errors in band on
//   HTTP 200 (-32021 on 400), -32002 sent as -32602; and a notification sent before the result (a
//   log line) turns the answer into an SSE stream, as the SDK's per-request transport does.
import { setMaxListeners } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MODERN_PROTOCOL_VERSION } from '@switchboard/core';
import { classifyInboundRequest, CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, MissingRequiredClientCapabilityError, ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode, SERVER_INFO_META_KEY, type CallToolResult, type ClientCapabilities, type RequestId, type Result } from '../sdk/mcp.js';
import type { Gateway } from '../gateway.js';
import type { Identity } from '../access/identity.js';
import { GATEWAY_VERSION } from '../version.js';
import type { CallScope } from './call-scope.js';
import { SSE_HEADERS, sseEvent } from './sse-wire.js';
import { encodeHandlerError, isPlainObject, plainToolCall, withContent } from './lane-wire.js';
import type { CallToolParams, ClientEnvelope } from './session.js';

/** A request the lane serves: its id, its params and its envelope apart (as the SDK lifts it), and the client it names. */
export interface LaneCall {
  readonly id: RequestId;
  /** The params, their `_meta` without the envelope keys. */
  readonly params: CallToolParams;
  /** The envelope keys of `_meta`, as received. */
  readonly envelope: Readonly<Record<string, unknown>>;
  readonly client: ClientEnvelope;
}

/** The envelope: the `_meta` keys the SDK lifts out of a request before its handler sees it. */
const ENVELOPE_KEYS = new Set(['io.modelcontextprotocol/protocolVersion', 'io.modelcontextprotocol/clientInfo', 'io.modelcontextprotocol/clientCapabilities', 'io.modelcontextprotocol/logLevel']);
const SERVER_INFO = { name: 'switchboard', version: GATEWAY_VERSION };
/** The capability an input request embedded in an input_required answer needs of the client. */
const INPUT_CAPABILITY: Readonly<Record<string, 'sampling' | 'elicitation' | 'roots'>> = { 'sampling/createMessage': 'sampling', 'elicitation/create': 'elicitation', 'roots/list': 'roots' };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

/** Classifier verdicts by what they depend on (see classifiedModern); bounded, cleared when full. */
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 512;
/** Longer keys are not remembered: a client sending large, ever-different `_meta` must not fill memory. */
const MAX_VERDICT_KEY = 4_096;

/** How many classifier verdicts are remembered (for tests of the bound). */
export function rememberedVerdicts(): number {
  return verdicts.size;
}

/**
 * The entry's own first rung (the SDK's classifier), on the same values: era, envelope validity,
 * header cross-checks. For a body plainToolCall accepted, its verdict depends only on the headers
 * and `_meta` (the envelope it validates, the claim it reads); a client sends the same ones call
 * after call, so the verdict is remembered by them (a profile put the classifier's zod parse at a
 * twentieth of the gateway's CPU per call). A `_meta` that changes per call (a trace context) is
 * classified each time.
 */
function classifiedModern(protocolVersionHeader: string, mcpMethodHeader: string, mcpNameHeader: string, body: unknown, meta: Record<string, unknown>): boolean {
  const key = `${protocolVersionHeader}\n${mcpMethodHeader}\n${mcpNameHeader}\n${JSON.stringify(meta)}`;
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    const outcome = classifyInboundRequest({ httpMethod: 'POST', protocolVersionHeader, mcpMethodHeader, mcpNameHeader, body });
    verdict = outcome.kind === 'modern' && outcome.classification.revision === MODERN_PROTOCOL_VERSION;
    if (key.length <= MAX_VERDICT_KEY) {
      if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
      verdicts.set(key, verdict);
    }
  }
  return verdict;
}

/**
 * The call, when this POST (its body already parsed) is one the lane serves exactly as the SDK's
 * entry would; undefined sends it to the entry.
 */
export function laneCall(headers: IncomingHttpHeaders, body: unknown): LaneCall | undefined {
  const plain = plainToolCall(body, ENVELOPE_KEYS);
  if (!plain?.meta) return undefined;
  const { id, params, meta } = plain;
  // The standard headers (SEP-2243) present and naming what the body says: the entry's header rung
  // then has nothing to refuse.
  const protocolVersionHeader = header(headers, 'mcp-protocol-version');
  const mcpMethodHeader = header(headers, 'mcp-method');
  const mcpNameHeader = header(headers, 'mcp-name');
  if (protocolVersionHeader !== MODERN_PROTOCOL_VERSION || mcpMethodHeader !== 'tools/call' || mcpNameHeader !== params.name) return undefined;
  const accept = header(headers, 'accept') ?? '';
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
  if (!classifiedModern(protocolVersionHeader, mcpMethodHeader, mcpNameHeader, body, meta)) return undefined;
  const capabilities = meta[CLIENT_CAPABILITIES_META_KEY];
  const clientInfo = meta[CLIENT_INFO_META_KEY];
  if (!isPlainObject(capabilities)) return undefined;
  const client: ClientEnvelope = {
    protocolVersion: MODERN_PROTOCOL_VERSION,
    capabilities: capabilities as ClientCapabilities,
    ...(isPlainObject(clientInfo) && typeof clientInfo.name === 'string' && typeof clientInfo.version === 'string' ? { clientInfo: { name: clientInfo.name, version: clientInfo.version } } : {}),
  };
  const envelope: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const key in meta) (ENVELOPE_KEYS.has(key) ? envelope : rest)[key] = meta[key];
  const { _meta: _lifted, ...fields } = params;
  const lifted = (Object.keys(rest).length > 0 ? { ...fields, _meta: rest } : fields) as CallToolParams;
  return { id, params: lifted, envelope, client };
}

/** The answer to a call as the SDK's 2026-07-28 codec encodes a tools/call result. */
function encodeResult(result: CallToolResult, capabilities: ClientCapabilities): Result {
  let out = result as Record<string, unknown>;
  if (out.resultType === 'input_required') {
    const inputRequests = isPlainObject(out.inputRequests) ? out.inputRequests : undefined;
    const hasRequests = inputRequests !== undefined && Object.keys(inputRequests).length > 0;
    if (!hasRequests && typeof out.requestState !== 'string') {
      throw new ProtocolError(ProtocolErrorCode.InternalError, 'Handler for tools/call returned an input-required result with neither inputRequests nor requestState (every InputRequiredResult must include at least one of the two)');
    }
    for (const [key, entry] of Object.entries(inputRequests ?? {})) {
      const method = isPlainObject(entry) && typeof entry.method === 'string' ? entry.method : '';
      const needed = INPUT_CAPABILITY[method];
      if (needed && !capabilities[needed]) {
        throw new MissingRequiredClientCapabilityError({ requiredCapabilities: { [needed]: {} } }, `Cannot request input '${key}' (${method}): the request's client capabilities do not declare the required capability`);
      }
    }
  } else {
    out = withContent(out);
    if (out.resultType === undefined) out = { ...out, resultType: 'complete' };
  }
  const meta = out._meta;
  if (meta === undefined) return { ...out, _meta: { [SERVER_INFO_META_KEY]: SERVER_INFO } } as Result;
  if (!isPlainObject(meta) || meta[SERVER_INFO_META_KEY] !== undefined) return out as Result;
  return { ...out, _meta: { ...meta, [SERVER_INFO_META_KEY]: SERVER_INFO } } as Result;
}

export interface LaneOptions {
  /** An SSE answer with nothing to send for this long gets a comment, so idle proxies keep it. */
  keepAliveMs: number;
  /** Bytes the client may leave unread before notifications for the call are dropped. */
  maxBufferedBytes: number;
}

/** Per connection: aborted when it closes. */
const connectionSignals = new WeakMap<Socket, AbortSignal>();

/**
 * The signal of a call's client going away: its connection closing, which over HTTP/1.1 is the
 * only way a client abandons a response. One per connection, not per call: an AbortSignal is an
 * EventTarget, and making one per call was a fortieth of the gateway's CPU per call at capacity.
 * Each call's listeners leave when the call ends, so they are bounded by the calls in flight on
 * the connection (several only when a client pipelines): no listener limit applies.
 */
export function connectionGone(socket: Socket): AbortSignal {
  let signal = connectionSignals.get(socket);
  if (signal) return signal;
  const controller = new AbortController();
  signal = controller.signal;
  setMaxListeners(0, signal);
  connectionSignals.set(socket, signal);
  if (socket.destroyed) controller.abort();
  else socket.once('close', () => controller.abort());
  return signal;
}

/** Serve one lane call as `identity` (rate limits were taken by the caller). */
export async function serveLaneCall(gateway: Gateway, req: IncomingMessage, res: ServerResponse, call: LaneCall, identity: Identity, options: LaneOptions): Promise<void> {
  const session = gateway.createSession('modern', { identity, limitsChecked: true, envelope: call.client });
  // The client went away before its answer: the call is abandoned upstream too.
  const gone = connectionGone(req.socket);
  let keepAlive: NodeJS.Timeout | undefined;
  const frame = (message: unknown): void => {
    if (!res.headersSent) {
      res.writeHead(200, SSE_HEADERS);
      keepAlive = setInterval(() => res.write(': keepalive\n\n'), options.keepAliveMs);
      keepAlive.unref();
      res.once('close', () => clearInterval(keepAlive));
    }
    res.write(sseEvent(message));
  };
  const scope: CallScope = {
    mcpReq: {
      id: call.id,
      ...(call.params._meta ? { _meta: call.params._meta } : {}),
      envelope: call.envelope,
      signal: gone,
      notify: async (notification) => {
        // A client that does not read loses notes, never the gateway's memory; its answer still comes.
        if (gone.aborted || res.writableLength > options.maxBufferedBytes) return;
        frame({ jsonrpc: '2.0', ...notification });
      },
      send: (request) =>
        Promise.reject(new SdkError(SdkErrorCode.MethodNotSupportedByProtocolVersion, `Server-to-client requests are not available on protocol revision 2026-07-28: '${request.method}' cannot be sent while serving a request on that revision.`)),
    },
    http: { req: { headers: { get: (name: string) => header(req.headers, name.toLowerCase()) ?? null } } },
  };
  let message: unknown;
  let status = 200;
  try {
    message = { jsonrpc: '2.0', id: call.id, result: encodeResult(await session.callTool(call.params, scope), call.client.capabilities) };
  } catch (error) {
    const encoded = encodeHandlerError(error, 'modern');
    if (encoded.code === ProtocolErrorCode.MissingRequiredClientCapability) status = 400;
    message = { jsonrpc: '2.0', id: call.id, error: encoded };
  } finally {
    void session.close();
  }
  if (gone.aborted || res.destroyed) return;
  if (res.headersSent) {
    clearInterval(keepAlive);
    res.end(sseEvent(message));
    return;
  }
  const body = JSON.stringify(message);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}
