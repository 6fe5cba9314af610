// How the gateway's HTTP endpoint writes a Server-Sent Events answer: the response headers (no
// caching, no proxy buffering) and one JSON-RPC message per event. Shared by the 2025 session
// transport and the 2026-07-28 call lane, so both streams look the same on the wire.
export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' } as const;

export function sseEvent(message: unknown): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}
