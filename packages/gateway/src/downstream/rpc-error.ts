// An HTTP answer that carries a JSON-RPC error with no request id: for requests refused before any
// session handles them (guards, bad bodies, unknown sessions) and by the session transport itself.
import type { ServerResponse } from 'node:http';

export function writeRpcError(res: ServerResponse, status: number, code: number, message: string, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } });
  // With its length: no chunk framing (refusals such as 429 come at the busiest times).
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extraHeaders }).end(body);
}
