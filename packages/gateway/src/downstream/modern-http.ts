// MCP 2026-07-28 over HTTP: stateless requests, each carrying its protocol version, client
// capabilities and client info in `_meta`. The SDK's own entry (createMcpHandler) does the era's
// wire work: `server/discover`, the `_meta` envelope, unsupported-version (-32022) and header
// (-32020) checks, `resultType`, the server identity in `_meta`, the methods the revision removed,
// and `subscriptions/listen` streams fed by its event bus. Each request is answered by a
// GatewaySession in its modern form, routing over the router's shared upstream connections.
// 2025 traffic never reaches this handler: serve-http.ts keeps it on its sessions. A first-round
// tools/call skips the entry: the gateway's own lane serves it the same way, at a fraction of the cost.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMcpHandler, isLegacyRequest, toNodeHandler, toWebRequest, type AuthInfo, type JSONRPCMessage, type McpHttpHandler } from '../sdk/mcp.js';
import { MODERN_PROTOCOL_VERSION, modernEnvelopeVersion } from '@switchboard/core';
import type { Gateway } from '../gateway.js';
import { ANONYMOUS_IDENTITY, type Identity } from '../access/identity.js';
import { laneCall, serveLaneCall, type LaneOptions } from './modern-call-lane.js';
import { HEADER_MISMATCH, paramDeclarations, paramHeaderMismatch } from './param-headers.js';

/** The identity serve-http found, carried to the per-request server through the SDK's pass-through authInfo. */
const IDENTITY_KEY = 'switchboard.identity';

export interface ModernHttp {
  /**
   * True when this session-less POST is a 2026-07-28 request: it names the revision (the `_meta`
   * envelope or a 2026+ MCP-Protocol-Version header) or is server/discover; an envelope naming an
   * older revision is left to the SDK's classifier. A request claiming nothing is a 2025 client
   * that skipped initialize, answered as before.
   */
  claims(req: IncomingMessage, body: unknown): Promise<boolean>;
  /** Serve one request as `identity` (rate limits were taken by the caller). */
  serve(req: IncomingMessage, res: ServerResponse, body: unknown, identity: Identity): Promise<void>;
  /** A list the gateway serves changed: tell the listen streams that opted in. */
  listChanged(kind: 'tools' | 'prompts' | 'resources'): void;
  close(): Promise<void>;
}

export function createModernHttp(gateway: Gateway, maxBodyBytes: number, lane: LaneOptions): ModernHttp {
  const handler: McpHttpHandler = createMcpHandler(
    async (ctx) => {
      const identity = (ctx.authInfo?.extra?.[IDENTITY_KEY] as Identity | undefined) ?? ANONYMOUS_IDENTITY;
      const session = gateway.createSession('modern', { identity, limitsChecked: true });
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
      const claim = modernClaim(req.headers['mcp-protocol-version'], body);
      if (claim === 'none') return false;
      // A request that names 2026-07-28 or later (or is server/discover) is modern by the spec's
      // rules, and the SDK's entry classifies it again as it serves it: asking the SDK's classifier
      // here too would build a web Request per call for nothing (a tenth of the gateway's CPU). Only
      // an envelope naming an older revision is left to it.
      if (claim === 'modern') return true;
      return !(await isLegacyRequest(await toWebRequest(req, body), { maxRequestBodySize: maxBodyBytes }));
    },
    serve: (req, res, body, identity) => {
      const mismatch = paramMismatch(gateway, req, body);
      if (mismatch) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: mismatch.id, error: { code: HEADER_MISMATCH, message: `Bad Request: the request headers and body disagree: ${mismatch.reason}` } }));
        return Promise.resolve();
      }
      // A first-round tools/call the gateway serves itself, exactly as the entry would (see modern-call-lane.ts).
      const call = laneCall(req.headers, body);
      if (call) return serveLaneCall(gateway, req, res, call, identity, lane);
      // Never the client's token: nothing downstream of here may forward it (no token passthrough).
      (req as IncomingMessage & { auth?: AuthInfo }).auth = { token: '', clientId: identity.clientId ?? '', scopes: [...identity.scopes], extra: { [IDENTITY_KEY]: identity } };
      return node(req, res, body as JSONRPCMessage);
    },
    listChanged(kind) {
      if (kind === 'tools') handler.notify.toolsChanged();
      else if (kind === 'prompts') handler.notify.promptsChanged();
      else handler.notify.resourcesChanged();
    },
    close: () => handler.close(),
  };
}


/** A tools/call whose `Mcp-Param-*` headers disagree with its arguments, for the tool as the gateway lists it (param-headers.ts). */
function paramMismatch(gateway: Gateway, req: IncomingMessage, body: unknown): { id: unknown; reason: string } | undefined {
  const call = body as { id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: unknown } } | null;
  if (typeof call !== 'object' || call === null || Array.isArray(call) || call.method !== 'tools/call' || typeof call.params?.name !== 'string') return undefined;
  const declarations = paramDeclarations(gateway.catalog().tools.get(call.params.name)?.item.inputSchema);
  if (declarations.length === 0) return undefined;
  const reason = paramHeaderMismatch(declarations, call.params.arguments, (name) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  });
  return reason === undefined ? undefined : { id: call.id ?? null, reason };
}

/** Whether a message carries the 2026-07-28 `_meta` envelope (a protocol version of 2026-07-28 or later). */
export function hasModernEnvelope(message: unknown): boolean {
  return modernEnvelopeVersion(message) !== undefined;
}

/**
 * What a session-less request says about its era (cheap: no SDK parse): 'modern' when it names
 * 2026-07-28 or later (header or `_meta` envelope) or is server/discover; 'unsure' when its envelope
 * names an older revision; 'none' when it claims nothing (a 2025 client that skipped initialize).
 */
function modernClaim(versionHeader: string | string[] | undefined, body: unknown): 'modern' | 'unsure' | 'none' {
  const header = Array.isArray(versionHeader) ? versionHeader[0] : versionHeader;
  if (typeof header === 'string' && header >= MODERN_PROTOCOL_VERSION) return 'modern';
  let claim: 'unsure' | 'none' = 'none';
  for (const m of Array.isArray(body) ? body : [body]) {
    const message = m as { method?: unknown; params?: { _meta?: Record<string, unknown> } } | null;
    if (message?.method === 'server/discover' || hasModernEnvelope(message)) return 'modern';
    if (message?.params?._meta?.['io.modelcontextprotocol/protocolVersion'] !== undefined) claim = 'unsure';
  }
  return claim;
}
