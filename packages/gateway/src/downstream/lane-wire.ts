// What the gateway's own call lanes (modern-call-lane.ts for 2026-07-28, legacy-call-lane.ts for
// 2025 sessions) share: the shape of a tools/call they take, and a handler's failure encoded as the
// SDK's Protocol encodes it, so an answer from a lane is the one the SDK would have sent.
import { ProtocolError, ProtocolErrorCode, type RequestId } from '../sdk/mcp.js';
import type { CallToolParams } from './session.js';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const BODY_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const PARAM_KEYS = new Set(['name', 'arguments', '_meta']);

/**
 * The id and params of a plain tools/call (no batch, no task augmentation, no retried round, no
 * progress token, no `_meta` key of the spec's own prefix outside `allowedReserved`), or undefined.
 */
export function plainToolCall(body: unknown, allowedReserved: ReadonlySet<string>): { id: RequestId; params: CallToolParams; meta: Record<string, unknown> | undefined } | undefined {
  if (!isPlainObject(body) || body.method !== 'tools/call' || body.jsonrpc !== '2.0') return undefined;
  for (const key in body) if (!BODY_KEYS.has(key)) return undefined;
  const id = body.id;
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isSafeInteger(id))) return undefined;
  const params = body.params;
  if (!isPlainObject(params) || typeof params.name !== 'string' || params.name === '') return undefined;
  for (const key in params) if (!PARAM_KEYS.has(key)) return undefined;
  if (params.arguments !== undefined && !isPlainObject(params.arguments)) return undefined;
  const meta = params._meta;
  if (meta !== undefined && !isPlainObject(meta)) return undefined;
  if (meta) {
    if ('progressToken' in meta) return undefined;
    for (const key in meta) if (key.startsWith('io.modelcontextprotocol/') && !allowedReserved.has(key)) return undefined;
  }
  return { id, params: params as CallToolParams, meta };
}

/** A handler's failure as the SDK's Protocol answers it (both eras send -32002 as -32602). */
export function encodeHandlerError(error: unknown, era: 'legacy' | 'modern'): { code: number; message: string; data?: unknown } {
  if (era === 'modern' && error instanceof ProtocolError && error.code === ProtocolErrorCode.UrlElicitationRequired) {
    return { code: ProtocolErrorCode.InternalError, message: 'URL elicitation cannot be signalled by throwing UrlElicitationRequiredError on protocol revision 2026-07-28' };
  }
  const e = error as { code?: unknown; message?: unknown; data?: unknown } | null;
  const thrown = typeof e?.code === 'number' && Number.isSafeInteger(e.code) ? e.code : ProtocolErrorCode.InternalError;
  return {
    code: thrown === -32002 ? -32602 : thrown,
    message: typeof e?.message === 'string' ? e.message : 'Internal error',
    ...(e?.data !== undefined ? { data: e.data } : {}),
  };
}

/** A tools/call result without content (and of no other result family) gains `content: []`, as the SDK's server gives it. */
export function withContent(result: Record<string, unknown>): Record<string, unknown> {
  if (result.content !== undefined || 'task' in result || 'inputRequests' in result || 'requestState' in result) return result;
  return { ...result, content: [] };
}
