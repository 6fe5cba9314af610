// Run the gateway as a local stdio MCP server: one client session over stdin/stdout. Logs must go
// to stderr (the core logger does), because stdout is the protocol stream.
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '../sdk/mcp.js';
import type { Gateway } from '../gateway.js';

export interface ServeStdioOptions {
  stdin?: Readable;
  stdout?: Writable;
}

export interface StdioGateway {
  /** Resolves when the client closes the stream or close() is called. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export async function serveStdio(gateway: Gateway, options: ServeStdioOptions = {}): Promise<StdioGateway> {
  const stdin = options.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  const session = gateway.createSession();
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      stdin.off('end', onEnd);
      await session.close();
      resolveClosed();
    })());
  // The SDK's stdio transport does not notice EOF; a client that exits ends the session.
  const onEnd = (): void => void close();
  stdin.on('end', onEnd);
  transport.onclose = () => void close();
  await session.server.connect(transport);
  return { closed, close };
}
