// Sends one operation to one of a set of services (a tool's replica set, or the owners of a
// resource or prompt) through the router, so the configured strategy, breakers, stats, retry
// budget and failover apply within that set.
import { type Client } from '../sdk/mcp.js';
import type { CallCancellation, CancelSignal, DispatchOutcome, Router, ServiceEntry, TraceCarrier } from '@switchboard/core';
import type { SendTie } from './call-attribution.js';

export interface RouteTarget {
  /** Upstream tool name, when routing a tool call. */
  toolName?: string;
  members: readonly string[];
  signal?: CancelSignal;
  client: (entry: ServiceEntry) => Promise<Client>;
  /** Start afresh the session `client` gave (the dispatcher calls it when that session is lost). */
  renew: (entry: ServiceEntry, why: 'forgotten' | 'lost') => void;
  /** A second (hedged) attempt would be visible to the client (its progress is forwarded): never hedge. */
  noHedge?: boolean;
  /** For observers: the MCP method, what it is about, the client's trace context, revision and request id. */
  method?: string;
  target?: string;
  trace?: TraceCarrier;
  protocolVersion?: string;
  jsonrpcRequestId?: string | number;
}

/**
 * One attempt of an operation on one service's client. `tie`, when given, goes into the SDK
 * request options of what it sends, so that what the upstream sends back about it (on a shared
 * connection) comes to its call (see SharedUpstreams).
 */
export type Operation<T> = (client: Client, entry: ServiceEntry, signal: CallCancellation, tie?: SendTie) => Promise<T>;

/** A replica set as the dispatcher wants it, made once per members list (the catalogue's lists are stable until it is rebuilt). */
const memberSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function setOf(members: readonly string[]): ReadonlySet<string> {
  let set = memberSets.get(members);
  if (!set) memberSets.set(members, (set = new Set(members)));
  return set;
}

export class MemberRouter {
  constructor(private readonly router: Router) {}

  route<T>(target: RouteTarget, operation: Operation<T>): Promise<DispatchOutcome<T>> {
    // One object, no spread of optional fields: this runs for every routed request, and the
    // dispatcher reads an absent field and an undefined one alike.
    return this.router.dispatch(
      {
        toolName: target.toolName,
        services: setOf(target.members),
        client: target.client,
        renew: target.renew,
        signal: target.signal,
        hedge: target.noHedge ? false : undefined,
        operation: target.method,
        target: target.target,
        trace: target.trace,
        protocolVersion: target.protocolVersion || undefined,
        jsonrpcRequestId: target.jsonrpcRequestId,
        // Reads (resources, prompts, completion) can be repeated; tool calls follow the tool's
        // annotations and failover.retryableTools.
        idempotent: target.toolName === undefined ? true : undefined,
      },
      operation,
    );
  }
}
