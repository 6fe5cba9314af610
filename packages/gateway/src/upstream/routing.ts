// Sends one operation to one of a set of services (a tool's replica set, or the owners of a
// resource or prompt) through the router, so the configured strategy, breakers, stats, retry
// budget and failover apply within that set.
import { type Client } from '../sdk/mcp.js';
import type { DispatchOutcome, Router, ServiceEntry, TraceCarrier } from '@switchboard/core';

export interface RouteTarget {
  /** Upstream tool name, when routing a tool call. */
  toolName?: string;
  members: readonly string[];
  signal?: AbortSignal;
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

export type Operation<T> = (client: Client, entry: ServiceEntry, signal: AbortSignal) => Promise<T>;

export class MemberRouter {
  constructor(private readonly router: Router) {}

  route<T>(target: RouteTarget, operation: Operation<T>): Promise<DispatchOutcome<T>> {
    return this.router.dispatch(
      {
        ...(target.toolName !== undefined ? { toolName: target.toolName } : {}),
        services: new Set(target.members),
        client: target.client,
        renew: target.renew,
        ...(target.signal ? { signal: target.signal } : {}),
        ...(target.noHedge ? { hedge: false } : {}),
        ...(target.method !== undefined ? { operation: target.method } : {}),
        ...(target.target !== undefined ? { target: target.target } : {}),
        ...(target.trace ? { trace: target.trace } : {}),
        ...(target.protocolVersion ? { protocolVersion: target.protocolVersion } : {}),
        ...(target.jsonrpcRequestId !== undefined ? { jsonrpcRequestId: target.jsonrpcRequestId } : {}),
        // Reads (resources, prompts, completion) can be repeated; tool calls follow the tool's
        // annotations and failover.retryableTools.
        ...(target.toolName === undefined ? { idempotent: true } : {}),
      },
      operation,
    );
  }
}
