// MCP 2026-07-28 over HTTP: stateless requests, each carrying its protocol version, client
// capabilities and client info in `_meta`. The SDK's own entry (createMcpHandler) does the era's
// wire work: `server/discover`, the `_meta` envelope, unsupported-version (-32022) and header
// (-32020) checks, `resultType`, the server identity in `_meta`, the methods the revision removed,
// and `subscriptions/listen` streams fed by its event bus. Each request is answered by a
// GatewaySession in its modern form, routing over the router's shared upstream connections.
// 2025 traffic never reaches this handler: serve-http.ts keeps it on its sessions.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMcpHandler, isLegacyRequest, toNodeHandler, toWebRequest, type JSONRPCMessage, type McpHttpHandler } from '../sdk/mcp.js';
import type { Gateway } from '../gateway.js';

export interface ModernHttp {
  /**
   * True when this session-less POST is a 2026-07-28 request: it claims the revision (the `_meta`
   * envelope, a 2026+ MCP-Protocol-Version header, or server/discover) and the SDK's own classifier
   * agrees. A request claiming nothing is a 2025 client that skipped initialize, answered as before.
   */
  claims(req: IncomingMessage, body: unknown): Promise<boolean>;
  serve(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** A list the gateway serves changed: tell the listen streams that opted in. */
  listChanged(kind: 'tools' | 'prompts' | 'resources'): void;
  close(): Promise<void>;
}

export function createModernHttp(gateway: Gateway, maxBodyBytes: number): ModernHttp {
  const handler: McpHttpHandler = createMcpHandler(
    async () => {
      const session = gateway.createSession('modern');
      // The SDK closes the per-request server when the exchange ends; the session goes with it.
      const server = session.server;
      const previous = server.onclose;
      server.onclose = () => {
        previous?.();
        void session.close();
      };
      return server;
    },
    { legacy: 'reject', maxRequestBodySize: maxBodyBytes, onerror: (error) => gateway.router.logger.debug('2026-07-28 request refused', { error: error.message }) },
  );
  const node = toNodeHandler(handler);
  return {
    async claims(req, body) {
      if (!claimsModern(req.headers['mcp-protocol-version'], body)) return false;
      return !(await isLegacyRequest(await toWebRequest(req, body), { maxRequestBodySize: maxBodyBytes }));
    },
    serve: (req, res, body) => node(req, res, body as JSONRPCMessage),
    listChanged(kind) {
      if (kind === 'tools') handler.notify.toolsChanged();
      else if (kind === 'prompts') handler.notify.promptsChanged();
      else handler.notify.resourcesChanged();
    },
    close: () => handler.close(),
  };
}

const MODERN_FROM = '2026-07-28';

/** Whether a message carries the 2026-07-28 `_meta` envelope (a protocol version of 2026-07-28 or later). */
export function hasModernEnvelope(message: unknown): boolean {
  const version = (message as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta?.['io.modelcontextprotocol/protocolVersion'];
  return typeof version === 'string' && version >= MODERN_FROM;
}

/** Whether a request says it is 2026-07-28 or later (cheap: no SDK parse for 2025 traffic). */
function claimsModern(versionHeader: string | string[] | undefined, body: unknown): boolean {
  const header = Array.isArray(versionHeader) ? versionHeader[0] : versionHeader;
  if (typeof header === 'string' && header >= MODERN_FROM) return true;
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const message = m as { method?: unknown; params?: { _meta?: Record<string, unknown> } } | null;
    return message?.method === 'server/discover' || message?.params?._meta?.['io.modelcontextprotocol/protocolVersion'] !== undefined;
  });
}
