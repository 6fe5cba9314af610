// An error the gateway answers a client request with, as a JSON-RPC error whose message is exactly
// what is written here. The SDK server reads only `code`, `message` and `data` from what a handler
// throws. (SDK v1's McpError put "MCP error <code>: " in front of its message, and v1 clients put
// it in front again; this class never did, and upstream text is stripped of it, see rpcErrorText.)
export class ClientError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}
