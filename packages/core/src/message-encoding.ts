// A JSON-RPC message as the text a transport puts on the wire. JSON.stringify throws for a value
// JSON cannot carry (nesting deeper than the stack, a BigInt, a cycle): that is the message's fault,
// known before a byte left, so it fails as the caller's error (INVALID_REQUEST: no failover, nothing
// counted against the service). Thrown raw, it read as a broken link: one client's deeply nested
// arguments ejected the upstream for every other client.
import { SwitchboardError } from './errors.js';
import type { JsonRpcMessage } from './jsonrpc.js';

export function encodeMessage(message: JsonRpcMessage): string {
  try {
    return JSON.stringify(message);
  } catch (error) {
    const why = error instanceof RangeError ? 'it is nested too deeply' : `it holds a value JSON cannot carry (${(error as Error).message})`;
    throw new SwitchboardError('INVALID_REQUEST', `the message cannot be sent as JSON: ${why}; nothing was sent`, { cause: error });
  }
}
