// A server that predates Streamable HTTP, for the tests of the HTTP+SSE fallback: GET /sse opens the
// stream, POST /messages carries requests, anything else is 405. The SDK v1 fixture server behind it.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createFixtureServer } from '@switchboard/testing/fixtures';

export interface LegacySseServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `rewrite`, when given, sees every message the server sends on a stream and may write the event
 * itself (returning true), to send what no SDK server would.
 */
export async function startLegacySseServer(rewrite?: (message: JSONRPCMessage, stream: ServerResponse) => boolean): Promise<LegacySseServer> {
  const sessions = new Map<string, SSEServerTransport>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res);
      if (rewrite) {
        const send = transport.send.bind(transport);
        transport.send = async (message: JSONRPCMessage) => {
          if (!rewrite(message, res)) await send(message);
        };
      }
      sessions.set(transport.sessionId, transport);
      transport.onclose = () => void sessions.delete(transport.sessionId);
      void createFixtureServer({ name: 'legacy', tools: ['echo'] }).connect(transport);
      return;
    }
    const transport = sessions.get(url.searchParams.get('sessionId') ?? '');
    if (req.method === 'POST' && url.pathname === '/messages' && transport) return void transport.handlePostMessage(req, res);
    res.writeHead(405).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sse`,
    async close() {
      await Promise.all([...sessions.values()].map((t) => t.close().catch(() => undefined)));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
