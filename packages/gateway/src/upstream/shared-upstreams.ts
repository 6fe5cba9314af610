// Attribution on shared upstream connections (the router's pool client, one per service, used by
// every client session: stdio services by default). Progress carries its token and is matched by
// the SDK client. Log messages and server-to-client requests (sampling, elicitation, roots) carry no
// request id in the 2025 protocol, so on the wire a late message from session A's finished call
// looks exactly like one from session B's call in flight. No timing rule can tell them apart, so
// the rule is tenancy: while only one client session has ever used a connection (since it was
// opened), what it sends belongs to that session, and to its one call in flight when it has one;
// once a second session has used the connection, such messages are dropped (requests answered with
// a JSON-RPC error), counted, and the operator is told once that `isolation: per-session` gives
// that service exact attribution. Nothing ever reaches a session it was not meant for.
//
// Where the transport tells which request an incoming message came back with (Streamable HTTP: on
// that request's POST stream), attribution is exact instead, whatever the tenancy: each call's
// requests carry a tie in their SDK request options (`relatedRequestId`, which the SDK hands to
// the transport's send), and what comes back on their streams goes to that call. That is what a
// 2026-07-28 client needs most: each of its requests is a session of its own, so by tenancy alone
// a shared connection would deliver its log lines only while it had served no other request.
import { type Client, ProtocolErrorCode, type JSONRPCMessage, type LoggingMessageNotification, type MessageExtraInfo, type Request, type RequestId, type Result } from '../sdk/mcp.js';
import { CallTable, type Logger } from '@switchboard/core';
import { trackedRequests, type SendTie } from './call-attribution.js';
import { ClientError } from '../downstream/client-error.js';
import { deliverProgressBeforeResponses } from './progress-order.js';

/** One client call as a shared upstream sees it: where what it causes is delivered. */
export interface SharedCall {
  log(service: string, params: LoggingMessageNotification['params']): void;
  forwardRequest(request: Request, signal: AbortSignal): Promise<Result>;
}

/** The client session a call belongs to (compared by identity), with a session-wide fallback. */
export interface SharedTenant {
  /** Session-wide delivery, for a message that arrives between the tenant's calls. */
  readonly idle: SharedCall;
}

export type UnattributedKind = 'log' | 'request';

const FORWARDED_REQUESTS = new Set(['sampling/createMessage', 'elicitation/create', 'roots/list']);

interface Connection {
  readonly service: string;
  /** The one session that has used this connection; 'several' once another one has. */
  tenant: SharedTenant | 'several' | undefined;
  warned: boolean;
  /**
   * Calls in flight, by their tie. CallTables, not Maps or Sets, here and below: their entries come
   * and go at call rate (see core's call-table.ts).
   */
  readonly ties: CallTable<string, SharedCall>;
  /** Requests sent for a tied call, not answered yet: their id → the call. */
  readonly sent: CallTable<RequestId, SharedCall>;
  /** Requests the upstream sent on a tied call's stream, not answered yet: their id → the call. */
  readonly asked: CallTable<RequestId, SharedCall>;
}

/** A call on a shared connection: its tie for the SDK request options, and its end. */
export interface SharedLease {
  readonly tie: SendTie;
  end(): void;
}


let nextTie = 0;

export class SharedUpstreams {
  private readonly connections = new WeakMap<Client, Connection>();

  constructor(
    private readonly logger: Logger,
    private readonly onDropped?: (service: string, kind: UnattributedKind) => void,
  ) {}

  /**
   * A session's call goes out over the shared connection `client`: pass the lease's tie in the
   * SDK request options of what it sends, and end the lease when it is answered.
   */
  begin(client: Client, service: string, tenant: SharedTenant, call: SharedCall): SharedLease {
    const connection = this.connection(client, service);
    if (connection.tenant === undefined) connection.tenant = tenant;
    else if (connection.tenant !== tenant) connection.tenant = 'several';
    const tie = { relatedRequestId: `sb-shared-${++nextTie}` };
    connection.ties.set(tie.relatedRequestId, call);
    return { tie, end: () => void connection.ties.delete(tie.relatedRequestId) };
  }

  /** Install the attribution handlers on a shared connection (idempotent). */
  attach(service: string, client: Client): void {
    if (this.connections.has(client)) return;
    const connection = this.connection(client, service);
    deliverProgressBeforeResponses(client);
    this.tieMessages(client, connection);
    client.setNotificationHandler('notifications/message', (n) => {
      const target = this.target(client);
      if (target) target.log(service, n.params);
      else this.drop(client, 'log', 'notifications/message');
    });
    // A fallback, not setRequestHandler: the pool client declares no sampling/elicitation/roots
    // capability, and the SDK refuses handlers for undeclared capabilities.
    client.fallbackRequestHandler = async (request, ctx) => {
      if (!FORWARDED_REQUESTS.has(request.method)) throw new ClientError(ProtocolErrorCode.MethodNotFound, `Method not found: ${request.method}`);
      const tied = connection.asked.get(ctx.mcpReq.id);
      if (tied) return tied.forwardRequest({ method: request.method, ...(request.params ? { params: request.params } : {}) }, ctx.mcpReq.signal);
      const target = this.target(client);
      if (!target) {
        const reason = this.drop(client, 'request', request.method);
        throw new ClientError(ProtocolErrorCode.InvalidRequest, `${request.method} refused by the gateway: ${reason}`);
      }
      return target.forwardRequest({ method: request.method, ...(request.params ? { params: request.params } : {}) }, ctx.mcpReq.signal);
    };
  }

  private connection(client: Client, service: string): Connection {
    let connection = this.connections.get(client);
    if (!connection) this.connections.set(client, (connection = { service, tenant: undefined, warned: false, ties: new CallTable(), sent: trackedRequests(), asked: trackedRequests() }));
    return connection;
  }

  /**
   * Tie what goes out and comes back on the connection's transport to calls: a request sent with
   * a call's tie is remembered; a message the transport says came back with it belongs to that call
   * (a log line is delivered to it here; a request is remembered for the request handler).
   */
  private tieMessages(client: Client, connection: Connection): void {
    const transport = client.transport;
    const inner = transport?.onmessage;
    if (!transport || !inner) return;
    const send = transport.send.bind(transport);
    transport.send = (message: JSONRPCMessage, options?: Parameters<typeof send>[1]) => {
      const m = message as { id?: RequestId; method?: string };
      if (m.method === undefined && m.id !== undefined) connection.asked.delete(m.id); // our answer to the upstream's request
      const tie = options?.relatedRequestId;
      if (tie === undefined) return send(message, options);
      const call = connection.ties.get(String(tie));
      if (call && m.method !== undefined && m.id !== undefined) connection.sent.set(m.id, call);
      // The tie means nothing to the transport (a client's requests relate to no incoming request).
      const { relatedRequestId: _tie, ...rest } = options!;
      return send(message, rest);
    };
    transport.onmessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
      const m = message as { id?: RequestId; method?: string; params?: LoggingMessageNotification['params'] };
      if (m.method === undefined && m.id !== undefined) connection.sent.delete(m.id); // an answer: the request is done
      // Switchboard's transports say which request a message came back with (core's MessageExtra).
      const related = (extra as { relatedRequestId?: RequestId } | undefined)?.relatedRequestId;
      const call = related === undefined ? undefined : connection.sent.get(related);
      if (call && m.method !== undefined) {
        if (m.id !== undefined) connection.asked.set(m.id, call);
        else if (m.method === 'notifications/message' && typeof m.params?.level === 'string') {
          call.log(connection.service, m.params);
          return;
        }
      }
      inner.call(transport, message, extra);
    };
  }

  /** Where a message with no request id goes: the tenant's one call in flight, or the tenant itself. */
  private target(client: Client): SharedCall | undefined {
    const connection = this.connections.get(client);
    const tenant = connection?.tenant;
    if (!connection || tenant === undefined || tenant === 'several') return undefined;
    if (connection.ties.size === 1) return connection.ties.values()[0];
    return tenant.idle;
  }

  private drop(client: Client, kind: UnattributedKind, method: string): string {
    const connection = this.connections.get(client);
    const service = connection?.service ?? '';
    this.onDropped?.(service, kind);
    const reason =
      connection?.tenant === 'several'
        ? 'several client sessions share this upstream connection and the message names no request'
        : 'no client session has used this upstream connection';
    if (connection && !connection.warned && connection.tenant === 'several') {
      connection.warned = true;
      this.logger.warn('a shared upstream sent a message that names no request; dropped, as it is for every such message on this connection', {
        service,
        method,
        hint: 'set isolation: per-session for this service to have its log messages and sampling, elicitation and roots requests delivered',
      });
    } else {
      this.logger.debug('unattributed message from a shared upstream dropped', { service, method });
    }
    return reason;
  }
}
