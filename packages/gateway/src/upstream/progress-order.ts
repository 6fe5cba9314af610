// Keeps an upstream's progress notifications ahead of the response they belong to.
//
// Still needed with SDK v2 (2.4.0): test/gateway-stdio-sessions.test.ts ("delivers every progress
// notification written together with the result") loses the last ones without it. The SDK's Protocol runs notification handlers (progress included) one microtask after the message
// arrives, but handles a response synchronously, and forgets the request's progress handler as it
// does. When a notification and the response arrive in the same read (a stdio server writing
// "progress, result" in one burst, which the stdio transport parses in one synchronous loop), the
// response wins and the last progress notifications are dropped as "unknown token". Deferring each
// response by one microtask puts it behind the notifications already queued, in arrival order.
import { type Client, type JSONRPCMessage } from '../sdk/mcp.js';

const patched = new WeakSet<object>();

export function deliverProgressBeforeResponses(client: Client): void {
  const transport = client.transport;
  if (!transport || patched.has(transport)) return;
  const inner = transport.onmessage;
  if (!inner) return;
  patched.add(transport);
  transport.onmessage = (message: JSONRPCMessage, extra?: unknown) => {
    if ('id' in message && !('method' in message)) queueMicrotask(() => inner.call(transport, message, extra as never));
    else inner.call(transport, message, extra as never);
  };
}
