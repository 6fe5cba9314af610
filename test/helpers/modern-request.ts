// One stateless 2026-07-28 request over HTTP, as a client of that revision sends it: the `_meta`
// envelope (revision, client info, capabilities) and the standard headers (Mcp-Method, and
// Mcp-Name for the methods that name a tool, prompt or task). The answer is read whether it came
// as JSON or as an SSE stream (its last event).
export interface ModernAnswer {
  status: number;
  /** The JSON-RPC id the answer names (requests are sent with id 1). */
  id?: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

export async function modernRequest(url: string, method: string, params: Record<string, unknown>, options: { capabilities?: Record<string, unknown>; signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<ModernAnswer> {
  const meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'test-client', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': options.capabilities ?? {},
  };
  const name = params.name ?? params.taskId;
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: meta } }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await res.text();
  const body = JSON.parse(text.startsWith('{') ? text : text.split('\n').filter((l) => l.startsWith('data:')).pop()!.slice(5)) as Omit<ModernAnswer, 'status'>;
  return { status: res.status, ...body };
}
