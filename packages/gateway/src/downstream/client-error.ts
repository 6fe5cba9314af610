// An error the gateway answers a client request with, as a JSON-RPC error whose message is exactly
// what is written here. The SDK's McpError puts "MCP error <code>: " in front of its message, the
// SDK server sends that message as it is, and the client's SDK puts the prefix in front again:
// clients read "MCP error -32602: MCP error -32602: Unknown tool". The SDK server reads only `code`,
// `message` and `data` from what a handler throws.
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
