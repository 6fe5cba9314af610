// One client request as the gateway's handlers see it, whoever decoded it: the SDK Server (its
// ServerContext is a CallScope as it is, structurally) or the gateway's own 2026-07-28 call lane,
// which serves `tools/call` without building an SDK Server per request (see modern-call-lane.ts).
// Only what the handlers read is here, so a lane has to provide no more than that.
import type { CancelSignal } from '@switchboard/core';
import type { RequestId, RequestMeta, Result, ServerNotification, ServerRequest } from '../sdk/mcp.js';

export interface CallScope {
  readonly mcpReq: {
    /** The client's JSON-RPC id for the request. */
    readonly id: RequestId;
    /** The request's `_meta`, without the 2026-07-28 envelope (which is in `envelope`). */
    readonly _meta?: RequestMeta;
    /** A 2026-07-28 request's envelope: its revision, client, capabilities and log level. */
    readonly envelope?: { readonly [key: string]: unknown };
    /** A retried round's answers (2026-07-28 multi round-trip). */
    readonly inputResponses?: Record<string, unknown>;
    /** The verified requestState a retried round echoes (undefined on a first round). */
    readonly requestState?: () => unknown;
    /** Aborted when the client cancels the request or goes away. */
    readonly signal: AbortSignal;
    /**
     * The same cancellation, cheaper: what routing reads when it is there. A lane that makes one
     * per call makes `signal` only when a handler asks for it (see core's CallCancellation). A scope
     * made from this one with another `signal` must leave it out.
     */
    readonly cancel?: CancelSignal;
    /** Send a notification on the request's response stream, before its result. */
    notify(notification: ServerNotification): Promise<void>;
    /** A server-to-client request tied to this request (2025 sessions only). */
    send(request: ServerRequest, options?: { signal?: AbortSignal }): Promise<Result>;
  };
  /** The HTTP request that carried it, for its trace headers. */
  readonly http?: { readonly req?: { readonly headers: { get(name: string): string | null } } };
}
