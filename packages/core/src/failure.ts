// Which failures move a call to another service. A server that answered with a JSON-RPC error
// about the request itself (bad params, unknown method) would answer the same everywhere, and
// must not trip breakers, or one bad client could eject a whole fleet.
import { ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode } from './sdk/mcp.js';
import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { SwitchboardError } from './errors.js';
import { transportErrorOf } from './link-faults.js';

export interface ClassifiedFailure {
  /** Try another service, and count it against this one. */
  readonly failover: boolean;
  readonly error: SwitchboardError;
}

/** Resource not found, as 2025 revisions (and SDK v1 servers) answer it. */
const RESOURCE_NOT_FOUND = -32002;
/** 2026-07-28: the request needs a client capability its client did not declare. */
const MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;

const CALLER_ERRORS = new Set<number>([
  ProtocolErrorCode.InvalidParams,
  ProtocolErrorCode.MethodNotFound,
  ProtocolErrorCode.InvalidRequest,
  ProtocolErrorCode.ParseError,
  RESOURCE_NOT_FOUND,
  MISSING_REQUIRED_CLIENT_CAPABILITY,
]);

export function isServiceFailure(error: unknown): boolean {
  if ((error as { name?: string } | null)?.name === 'CallerCancelledError') return false;
  // A call a transport failed (its answer carries the transport's typed error) is judged by that error.
  const transportError = transportErrorOf(error);
  if (transportError) return isServiceFailure(transportError);
  if (error instanceof ProtocolError) return !CALLER_ERRORS.has(error.code);
  if (SwitchboardError.is(error)) return error.code !== 'INVALID_REQUEST' && error.code !== 'UPSTREAM_ERROR';
  return true;
}

export function classifyFailure(error: unknown, service: string, timeoutMs: number): ClassifiedFailure {
  const transportError = transportErrorOf(error);
  if (transportError) return classifyFailure(transportError, service, timeoutMs);
  if ((error as { name?: string } | null)?.name === 'CallerCancelledError') {
    return { failover: false, error: new SwitchboardError('CANCELLED', `the request to ${service} was cancelled by the caller`, { service, cause: error }) };
  }
  if (error instanceof BrokenCircuitError) {
    return { failover: true, error: new SwitchboardError('BREAKER_OPEN', `circuit breaker for ${service} is open`, { service, cause: error }) };
  }
  if (error instanceof TaskCancelledError || (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout)) {
    return { failover: true, error: new SwitchboardError('TIMEOUT', `${service} did not answer within ${timeoutMs} ms`, { service, cause: error }) };
  }
  if (error instanceof ProtocolError) {
    if (CALLER_ERRORS.has(error.code)) {
      return { failover: false, error: new SwitchboardError('UPSTREAM_ERROR', `${service} rejected the request: ${rpcErrorText(error.message)}`, { service, cause: error }) };
    }
    return { failover: true, error: new SwitchboardError('TRANSPORT_ERROR', `${service} failed: ${rpcErrorText(error.message)}`, { service, cause: error }) };
  }
  const wrapped = SwitchboardError.from(error, { code: 'TRANSPORT_ERROR', service });
  return { failover: isServiceFailure(wrapped), error: wrapped };
}

/**
 * An SDK error's message without the "MCP error <code>: " prefixes the SDK adds each time an error
 * crosses a hop (a server answering with a relayed error gets one more), so an error read by a
 * person says what happened once.
 */
export function rpcErrorText(message: string): string {
  return message.replace(/^(?:MCP error -?\d+: )+/, '');
}
