// The headers a 2026-07-28 request carries beside its body (Streamable HTTP, "Standard Headers"):
// MCP-Protocol-Version and Mcp-Method on every request, Mcp-Name for the methods that name a tool,
// prompt, resource or task, so intermediaries can route without parsing the body. The server checks
// them against the body and refuses a mismatch, so they are derived from the body, never set apart.
import { modernEnvelopeVersion, type JsonRpcMessage } from '@switchboard/core';

/** Which params field Mcp-Name mirrors, per method (the specification's table). */
const NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

const BASE64_PREFIX = '=?base64?';
const BASE64_SUFFIX = '?=';

/** The modern revision a request claims in its `_meta` envelope, if it is a modern request. */
export function modernVersionOf(message: JsonRpcMessage): string | undefined {
  const m = message as { method?: unknown; id?: unknown };
  return typeof m.method === 'string' && m.id !== undefined ? modernEnvelopeVersion(message) : undefined;
}

/** Set the standard headers of a modern request (no-op for anything else). */
export function applyModernHeaders(headers: Record<string, string | number | string[] | undefined>, message: JsonRpcMessage): void {
  const version = modernVersionOf(message);
  if (version === undefined) return;
  const m = message as { method: string; params?: Record<string, unknown> };
  headers['mcp-protocol-version'] = version;
  headers['mcp-method'] = m.method;
  const field = Object.hasOwn(NAME_SOURCE, m.method) ? NAME_SOURCE[m.method] : undefined;
  const value = field === undefined ? undefined : m.params?.[field];
  if (typeof value === 'string') headers['mcp-name'] = encodeHeaderValue(value);
}

const PARAM_PREFIX = 'mcp-param-';

/** The `Mcp-Param-*` headers among `extra` (the SDK client encodes their values), set on `headers`. */
export function applyParamHeaders(headers: Record<string, string | number | string[] | undefined>, extra: Readonly<Record<string, string>> | undefined): void {
  if (!extra) return;
  for (const [name, value] of Object.entries(extra)) {
    const key = name.toLowerCase();
    if (key.startsWith(PARAM_PREFIX) && key.length > PARAM_PREFIX.length && typeof value === 'string') headers[key] = value;
  }
}

/** A header value as the specification encodes it: plain when safe ASCII, else `=?base64?…?=` of its UTF-8. */
export function encodeHeaderValue(value: string): string {
  return needsBase64(value) ? `${BASE64_PREFIX}${Buffer.from(value, 'utf8').toString('base64')}${BASE64_SUFFIX}` : value;
}

function needsBase64(s: string): boolean {
  if (s.length === 0 || s !== s.trim()) return true;
  if (s.startsWith(BASE64_PREFIX) && s.endsWith(BASE64_SUFFIX)) return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 9 && (c < 32 || c > 126)) return true;
  }
  return false;
}
