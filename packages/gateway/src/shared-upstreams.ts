// Correlation for shared upstream connections (the router's pool client, one per service, used by
// every client session: stdio services by default). Progress is matched by token in the SDK client.
// Log messages and server-to-client requests (sampling, elicitation, roots) carry no request id, so
// the rule is: when exactly one client session has a request in flight on that upstream, it is
// theirs; otherwise the message is logged and dropped, and a request is answered with a JSON-RPC
// error, so nothing ever reaches a session it was not meant for.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
  type LoggingMessageNotification,
  type Request,
  type Result,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '@switchboard/core';
import { deliverProgressBeforeResponses } from './progress-order.js';

/** The client session side, as a shared upstream sees it. */
export interface SharedTarget {
  log(service: string, params: LoggingMessageNotification['params']): void;
  forwardRequest(request: Request, signal: AbortSignal): Promise<Result>;
}

const FORWARDED_REQUESTS = new Set(['sampling/createMessage', 'elicitation/create', 'roots/list']);

export class SharedUpstreams {
  /** service → sessions with requests in flight on its shared connection, and how many each. */
  private readonly inflight = new Map<string, Map<SharedTarget, number>>();
  private readonly attached = new WeakSet<Client>();

  constructor(private readonly logger: Logger) {}

  /** A session sends a request over the shared connection; call the result when it is answered. */
  begin(service: string, target: SharedTarget): () => void {
    let sessions = this.inflight.get(service);
    if (!sessions) this.inflight.set(service, (sessions = new Map()));
    sessions.set(target, (sessions.get(target) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (sessions.get(target) ?? 1) - 1;
      if (left > 0) sessions.set(target, left);
      else sessions.delete(target);
      if (sessions.size === 0 && this.inflight.get(service) === sessions) this.inflight.delete(service);
    };
  }

  /** The one session with requests in flight on `service`, or undefined when none or several. */
  owner(service: string): SharedTarget | undefined {
    const sessions = this.inflight.get(service);
    if (!sessions || sessions.size !== 1) return undefined;
    return sessions.keys().next().value;
  }

  /** Install the correlation handlers on a shared connection (idempotent). */
  attach(service: string, client: Client): void {
    if (this.attached.has(client)) return;
    this.attached.add(client);
    deliverProgressBeforeResponses(client);
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      const target = this.owner(service);
      if (target) target.log(service, n.params);
      else this.logger.debug('log message from a shared upstream with no single session in flight; dropped', { service, level: n.params.level });
    });
    // A fallback, not setRequestHandler: the pool client declares no sampling/elicitation/roots
    // capability, and the SDK refuses handlers for undeclared capabilities.
    client.fallbackRequestHandler = async (request, extra) => {
      if (!FORWARDED_REQUESTS.has(request.method)) throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${request.method}`);
      const target = this.owner(service);
      if (!target) {
        const count = this.inflight.get(service)?.size ?? 0;
        this.logger.warn('server-to-client request on a shared upstream refused: cannot tell which client session it is for', { service, method: request.method, sessionsInFlight: count });
        throw new McpError(
          ErrorCode.InvalidRequest,
          `${request.method} refused by the gateway: ${count === 0 ? 'no client request is in flight' : `${count} client sessions have requests in flight`} on this shared connection`,
        );
      }
      return target.forwardRequest({ method: request.method, ...(request.params ? { params: request.params } : {}) }, extra.signal);
    };
  }
}
