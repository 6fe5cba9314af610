// What a JSON-RPC message posted by a client must look like before any session sees it. A cheap
// structural check on the hot path: the SDK's Protocol validates each request's params against the
// handler's own schema afterwards, so a full zod parse of the envelope here would only repeat work.
import { type JSONRPCMessage, type RequestId } from '../sdk/mcp.js';

/** The SDK server transport's limit, kept so a client sees the same answer from both. */
export const MAX_BATCH_SIZE = 100;

export type WireCheck = { ok: true; messages: JSONRPCMessage[]; batch: boolean } | { ok: false; message: string };

const isId = (id: unknown): id is RequestId => typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `value` is not one JSON-RPC 2.0 message, or undefined when it is one. */
function problemWith(value: unknown, at: string): string | undefined {
  if (!isObject(value)) return `${at} is not a JSON object`;
  if (value.jsonrpc !== '2.0') return `${at}.jsonrpc must be "2.0"`;
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method.length === 0) return `${at}.method must be a non-empty string`;
    if ('id' in value && !isId(value.id)) return `${at}.id must be a string or a number`;
    if ('params' in value && value.params !== undefined && !isObject(value.params)) return `${at}.params must be an object`;
    return undefined;
  }
  if (!isId(value.id)) return `${at} has neither a method nor a valid id`;
  if ('result' in value) return isObject(value.result) ? undefined : `${at}.result must be an object`;
  if ('error' in value) {
    const error = value.error;
    return isObject(error) && typeof error.code === 'number' && typeof error.message === 'string' ? undefined : `${at}.error must have a numeric code and a message`;
  }
  return `${at} is neither a request, a notification nor a response`;
}

/** Check a parsed POST body: one message or a batch of them. */
export function checkWire(body: unknown): WireCheck {
  const batch = Array.isArray(body);
  const items: unknown[] = batch ? body : [body];
  if (batch && items.length === 0) return { ok: false, message: 'Invalid Request: empty batch' };
  if (items.length > MAX_BATCH_SIZE) return { ok: false, message: `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages` };
  for (let i = 0; i < items.length; i++) {
    const problem = problemWith(items[i], batch ? `message[${i}]` : 'message');
    if (problem) return { ok: false, message: `Invalid Request: ${problem}` };
  }
  return { ok: true, messages: items as JSONRPCMessage[], batch };
}

export const isRequest = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } => 'method' in m && 'id' in m;
export const isResponse = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } => !('method' in m) && ('result' in m || 'error' in m);
