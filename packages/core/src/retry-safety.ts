// Whether a failed call may be sent again to another service. A call that never reached a server
// (no connection, refused, breaker open) is always safe. One that may have reached it is retried
// only when repeating it cannot do harm: the tool says it is read-only or idempotent, or the
// operator marked it retryable. Otherwise the caller gets the error with the service named.
import { type Tool } from './sdk/mcp.js';

export function toolIsRetryable(tool: Tool | undefined, toolName: string, retryableTools: readonly string[]): boolean {
  if (retryableTools.includes(toolName) || retryableTools.includes('*')) return true;
  const a = tool?.annotations;
  // readOnlyHint implies no side effects; idempotentHint means repeating has no further effect.
  return a?.readOnlyHint === true || a?.idempotentHint === true;
}
