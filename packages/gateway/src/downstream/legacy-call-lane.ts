// The gateway's own path for the request that is most of a 2025 session's traffic: a plain
// `tools/call`, to upstreams of either era. The SDK's Server validates such a request and its
// result with zod, builds a handler context for it and encodes the answer, all for a message the
// gateway only relays (the upstream's answer was validated by the gateway's SDK client already); a
// profile put a tenth of the gateway's CPU per call there. The lane takes the request off the
// session's transport before the Server sees it, runs the same handler (GatewaySession.callTool,
// through the Server's input-required seam) and sends the answer on the same transport, so the
// exchange (JSON or SSE, keep-alives, the in-flight cap, a slow client's cut) is the one every
// request of the session gets.
//
// What the SDK does beyond that stays the SDK's: a request the lane does not take (progress, tasks,
// batches, an unknown shape, a session not initialized yet) goes to the Server. A call to a tool
// behind a 2026-07-28 upstream is the lane's too, run through the Server's own input-required seam
// (GatewaySession.callToolAsServer), so an input_required answer is still turned by the SDK's legacy
// shim into requests to the client; with an SDK that lacks the seam such calls go to the Server. A
// notification, a log line or a request to the client (sampling, elicitation, roots) for a lane call
// goes out through the Server, tied to the call's request id, as the SDK's own handler context sends it.
import { CallCancellation, CallTable } from '@switchboard/core';
import type { Gateway } from '../gateway.js';
import type { CallToolResult, JSONRPCMessage, RequestId, ServerRequest } from '../sdk/mcp.js';
import type { CallScope } from './call-scope.js';
import { encodeHandlerError, plainToolCall, withContent } from './lane-wire.js';
import type { CallToolParams, GatewaySession } from './session.js';

const NO_RESERVED: ReadonlySet<string> = new Set();

/** Runs one lane call: GatewaySession.callTool, directly or through the Server's input-required seam. */
type LaneHandler = (params: CallToolParams, scope: CallScope) => Promise<CallToolResult>;

export interface LaneTransport {
  send(message: JSONRPCMessage): Promise<void>;
}

/**
 * A lane call's request as its handler sees it (CallScope's mcpReq). A class, not an object literal:
 * a getter written in a literal is a new accessor per object, and V8 gives each such object a hidden
 * class of its own, made in old space and kept there until a full collection. Each of those held its
 * getter's closure, and through it the whole call (its result, its answer, the HTTP response), so every
 * scavenge kept what it should have freed: at capacity the 2025 HTTP → stdio gateway promoted 3-6 KB
 * per call and spent 3-5 ms per scavenge. On the prototype the getter is shared.
 */
class LaneRequest {
  declare readonly _meta?: Record<string, unknown>;
  readonly requestState = (): undefined => undefined;
  readonly notify: CallScope['mcpReq']['notify'];
  readonly send: CallScope['mcpReq']['send'];

  constructor(
    readonly id: RequestId,
    meta: Record<string, unknown> | undefined,
    readonly cancel: CallCancellation,
    server: GatewaySession['server'],
  ) {
    // Only when the request had one, as before: a handler tells "no _meta" from an empty one.
    if (meta) (this as { _meta?: Record<string, unknown> })._meta = meta;
    this.notify = (notification) => server.notification(notification, { relatedRequestId: id });
    this.send = (request, options) => server.request(request as ServerRequest, { ...(options?.signal ? { signal: options.signal } : {}), relatedRequestId: id });
  }

  /** Made only when a handler asks: most calls never need an AbortSignal (see CallCancellation). */
  get signal(): AbortSignal {
    return this.cancel.signal;
  }
}

export class LegacyCallLane {
  /**
   * Lane calls in flight, by the client's request id: a notifications/cancelled aborts them. Not an
   * AbortController each: a call is rarely cancelled, and an AbortSignal made per call was a
   * thirtieth of the gateway's CPU per call at capacity. The handlers get one only if they ask. A
   * CallTable, not a Map: its entries come and go at call rate (see core's call-table.ts).
   */
  private readonly calls = new CallTable<RequestId, CallCancellation>();

  constructor(
    private readonly gateway: Gateway,
    private readonly session: GatewaySession,
    private readonly transport: LaneTransport,
  ) {}

  /** Take a client message before the Server sees it: true when the lane serves it. */
  intercept(message: JSONRPCMessage): boolean {
    const m = message as { method?: unknown; id?: unknown; params?: { requestId?: RequestId } };
    if (m.method === 'notifications/cancelled' && m.id === undefined) {
      // The Server knows nothing of a lane call; it is told too, for the calls it serves.
      const requestId = m.params?.requestId;
      if (requestId !== undefined) this.calls.get(requestId)?.abort(new Error('the client cancelled the request'));
      return false;
    }
    const plain = plainToolCall(message, NO_RESERVED);
    if (!plain || this.calls.has(plain.id)) return false;
    const call = this.handlerFor(plain.params.name);
    if (!call) return false;
    void this.serve(call, plain.id, plain.params, plain.meta);
    return true;
  }

  /** The session ended: its lane calls are abandoned, as the Server abandons its handlers. */
  abortAll(): void {
    for (const cancellation of this.calls.values()) cancellation.abort(new Error('the client session has ended'));
    this.calls.clear();
  }

  /**
   * How the lane runs this call, or undefined when the SDK's Server must: the handler itself when
   * every upstream of the tool speaks 2025 (no input_required can come back), else the handler
   * through the Server's input-required seam, when this SDK has it.
   */
  private handlerFor(name: string): LaneHandler | undefined {
    const version = this.session.server.getNegotiatedProtocolVersion();
    // Before initialize the Server answers; a 2026-07-28 negotiation never reaches a session.
    if (version === undefined || version >= '2026-07-28') return undefined;
    const route = this.gateway.catalog().tools.get(name);
    const pool = this.gateway.router.pool;
    // No route: answered "Unknown tool" either way.
    if (!route || route.members.every((member) => pool.state(member)?.era === '2025')) return this.direct;
    // A 2026-07-28 upstream (or one not probed yet) may answer input_required: the SDK's shim serves it.
    return this.session.callToolAsServer;
  }

  private readonly direct: LaneHandler = (params, scope) => this.session.callTool(params, scope);

  private async serve(call: LaneHandler, id: RequestId, params: CallToolParams, meta: Record<string, unknown> | undefined): Promise<void> {
    const cancellation = new CallCancellation();
    this.calls.set(id, cancellation);
    const scope: CallScope = { mcpReq: new LaneRequest(id, meta, cancellation, this.session.server) };
    let answer: JSONRPCMessage;
    try {
      const result = withContent((await call(params, scope)) as unknown as Record<string, unknown>);
      answer = { jsonrpc: '2.0', id, result } as JSONRPCMessage;
    } catch (error) {
      answer = { jsonrpc: '2.0', id, error: encodeHandlerError(error, 'legacy') } as JSONRPCMessage;
    } finally {
      if (this.calls.get(id) === cancellation) this.calls.delete(id);
    }
    // A cancelled request gets no answer (the spec says so; the transport stopped waiting for one).
    if (cancellation.aborted) return;
    await this.transport.send(answer).catch(() => undefined);
  }
}
