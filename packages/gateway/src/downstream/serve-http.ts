// Serve a gateway over Streamable HTTP with node:http: one session transport and one SDK Server per
// client session, plus /healthz, /readyz, /metrics and /services. Requests pass the guards
// (Host/Origin, auth, body size, JSON-RPC shape) before a session sees them; a client's credentials
// never go upstream, because upstream sessions are built from service descriptors, never from the
// client's request. Session ids are sealed tokens (session-token.ts): an instance that meets a token
// it did not issue resumes the session, so instances sharing a secret need no sticky balancer.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isInitializeRequest, type InitializeRequest, type JSONRPCMessage } from '../sdk/mcp.js';
import { createDashboard, isDashboardPath } from '../ops/dashboard.js';
import type { Gateway } from '../gateway.js';
import { BodyTooLargeError, defaultAllowedHosts, defaultAllowedOrigins, isLoopbackHost, readBody } from './http-guards.js';
import { createAuthenticator, type Authenticator, type HttpAuthOptions } from '../access/authenticate.js';
import type { Identity } from '../access/identity.js';
import type { AuthRefusal } from '../access/oauth-resource.js';
import { rateLimitError } from '../access/access-control.js';
import { HttpSessions } from './http-sessions.js';
import { limitConnections } from './connection-limits.js';
import { writeRpcError } from './rpc-error.js';
import { checkWire, isRequest } from './jsonrpc-wire.js';
import { createModernHttp, hasModernEnvelope } from './modern-http.js';
import type { SessionStateStore } from './session-store.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '@switchboard/core';

export type { HttpAuthOptions } from '../access/authenticate.js';

export interface ServeHttpOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  path?: string;
  auth?: HttpAuthOptions;
  /** Host header values accepted (default on a loopback bind: localhost/127.0.0.1/[::1] with and without the port; elsewhere any). */
  allowedHosts?: readonly string[];
  /** Origin header values accepted when present (default on a loopback bind: http(s):// + the allowed hosts; elsewhere any). */
  allowedOrigins?: readonly string[];
  /** A session with no request for this long is closed (default 30 min). */
  sessionIdleMs?: number;
  /** Largest accepted request body (default 4 MiB). */
  maxBodyBytes?: number;
  /**
   * Most concurrent sessions (default 10 000). A new one then takes the place of the session idle
   * longest, if idle for `unusedSessionIdleMs` at least; with none such, 503.
   */
  maxSessions?: number;
  /**
   * Sessions one client may hold (default 1 000): a client is its credential, or its remote address
   * when auth is off, so one client cannot fill the session cap. A new one then takes the place of
   * the client's session idle longest; with all of them busy (a call in flight, a GET stream), 429.
   */
  maxSessionsPerClient?: number;
  /** A session that makes no request after its initialize is closed after this long (default 60 s). */
  unusedSessionIdleMs?: number;
  /** Requests one session may have in flight (default 64); more get 429. */
  maxInFlightPerSession?: number;
  /** Bytes a client may leave unread on one response stream before it is cut (default 4 MiB). */
  maxBufferedBytesPerStream?: number;
  /** Open TCP connections at most (default 8 192); more are closed as they arrive. */
  maxConnections?: number;
  /** Open TCP connections from one remote address at most (default 1 024; raise it behind a proxy). */
  maxConnectionsPerAddress?: number;
  /** A connection must send its first request within this long (default 10 s), and all of its headers (default 10 s). */
  headersTimeoutMs?: number;
  /** A request's body must arrive whole within this long (default 30 s). */
  requestTimeoutMs?: number;
  /** Serve the read-only live dashboard at /dashboard (and /dashboard/events); default off. */
  dashboard?: boolean;
  /**
   * Secrets that seal session tokens, shared by every instance behind one load balancer: any of them
   * can then resume any session. The first seals, all open (rotation). Default: a random per-process
   * key, so sessions live and die with this instance.
   */
  sessionSecrets?: readonly string[];
  /** A session token older than this is refused everywhere (default 24 h). */
  sessionMaxAgeMs?: number;
  /**
   * On close, how long requests already being served may take to finish (default 10 s). Meanwhile
   * /readyz says 503 and new requests get 503, so a load balancer moves clients to other instances;
   * a client's answers to the gateway's own requests are still taken, so calls waiting on them end.
   */
  drainMs?: number;
  /**
   * Where instances share what a client changes after initialize (log level, subscriptions, DELETE).
   * Without one, each instance knows only what happened on it. The caller closes it (instances may share one).
   */
  sessionStore?: SessionStateStore;
}

export interface HttpGateway {
  readonly url: string;
  readonly port: number;
  readonly sessionCount: number;
  /**
   * Take new credentials now (a config reload): requests with a credential no longer listed get 401
   * from the next one on, and sessions opened with it can no longer be used.
   */
  setAuth(auth: HttpAuthOptions | undefined): void;
  /** Stop taking requests, let those in flight finish (up to `drainMs`), then end every session. */
  close(): Promise<void>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };


export async function serveHttp(gateway: Gateway, options: ServeHttpOptions): Promise<HttpGateway> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/mcp';
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const maxSessions = options.maxSessions ?? 10_000;
  // The same secrets seal the requestState of input_required results, so a retry opens anywhere.
  if (options.sessionSecrets) gateway.useSessionSecrets(options.sessionSecrets);
  // Replaced whole on a live config change, so a revoked credential stops working at once. Made
  // once the port is known: the OAuth resource's default URI is the URL MCP is served at.
  let auth: Authenticator | undefined;
  let resourceUrl = '';
  const logger = gateway.router.logger.child({ component: 'gateway-http' });
  const sessions = new HttpSessions(
    gateway,
    {
      idleMs,
      unusedIdleMs: options.unusedSessionIdleMs ?? 60_000,
      maxSessions,
      maxSessionsPerClient: options.maxSessionsPerClient ?? 1_000,
      ...(options.maxBufferedBytesPerStream !== undefined ? { maxBufferedBytes: options.maxBufferedBytesPerStream } : {}),
      ...(options.maxInFlightPerSession !== undefined ? { maxInFlightPerSession: options.maxInFlightPerSession } : {}),
      maxAgeMs: options.sessionMaxAgeMs ?? 24 * 60 * 60_000,
      ...(options.sessionSecrets ? { secrets: options.sessionSecrets } : {}),
      ...(options.sessionStore ? { store: options.sessionStore } : {}),
    },
    logger,
  );
  let allowedHosts: Set<string> | undefined;
  let allowedOrigins: Set<string> | undefined;
  let closing = false;
  let closed: Promise<void> | undefined;
  const dashboard = options.dashboard ? createDashboard(gateway) : undefined;
  // 2026-07-28 requests carry no session: the SDK's per-request entry serves them (modern-http.ts).
  const modern = createModernHttp(gateway, maxBodyBytes, { keepAliveMs: 15_000, maxBufferedBytes: options.maxBufferedBytesPerStream ?? 4 * 1024 * 1024 });

  const refuse = (res: ServerResponse, refusal: AuthRefusal): void => {
    const challenge = auth?.challenge(refusal) ?? 'Bearer';
    // No body: the challenge says what RFC 6750 and RFC 9728 define, and a static credential's
    // refusal says nothing about which check failed.
    res.writeHead(refusal.status, { 'www-authenticate': challenge }).end();
  };

  /**
   * Rate limits answered here, before a session sees the request, so the client gets HTTP 429 with
   * Retry-After beside the JSON-RPC error. A retried input_required round continues an admitted call
   * and costs nothing.
   */
  const rateLimited = (res: ServerResponse, identity: Identity, messages: readonly JSONRPCMessage[], era: '2025' | '2026'): boolean => {
    const access = gateway.access;
    if (!access.limits) return false;
    for (const m of messages) {
      if (!('method' in m) || m.method !== 'tools/call' || !('id' in m)) continue;
      const params = m.params as { name?: unknown; requestState?: unknown } | undefined;
      if (typeof params?.name !== 'string' || params.requestState !== undefined) continue;
      // A call the policy refuses is refused by the session, naming its rule, and costs no token.
      if (!access.allows(identity, 'tool', params.name)) continue;
      const decision = access.take(identity, params.name, { method: 'tools/call', era });
      if (decision.ok) continue;
      const error = rateLimitError(decision, params.name);
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))) })
        .end(JSON.stringify({ jsonrpc: '2.0', id: m.id, error: { code: error.code, message: error.message, data: error.data } }));
      return true;
    }
    return false;
  };
  const stopListening = gateway.onListChanged((kind) => modern.listChanged(kind));

  const guard = (req: IncomingMessage, res: ServerResponse): boolean => {
    const hostHeader = req.headers.host;
    if (allowedHosts && (typeof hostHeader !== 'string' || !allowedHosts.has(hostHeader.toLowerCase()))) {
      writeRpcError(res, 403, -32000, 'Forbidden: Host not allowed');
      return false;
    }
    const origin = req.headers.origin;
    if (allowedOrigins && typeof origin === 'string' && !allowedOrigins.has(origin.toLowerCase())) {
      writeRpcError(res, 403, -32000, 'Forbidden: Origin not allowed');
      return false;
    }
    return true;
  };

  const handleMcp = async (req: IncomingMessage, res: ServerResponse, identity: Identity): Promise<void> => {
    // Sessions are bound to the identity; limits are per client: the identity, or where it
    // connects from when auth is off.
    const cred = identity.key;
    // Asked only on the session paths: remoteAddress asks the kernel (getpeername) each time.
    const clientKey = (): string => (identity.method === 'anonymous' ? `address:${req.socket.remoteAddress ?? ''}` : cred);
    let wire: { messages: readonly JSONRPCMessage[]; batch: boolean } | undefined;
    let body: unknown;
    if (req.method === 'POST') {
      let raw: Buffer;
      try {
        raw = await readBody(req, maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          req.resume();
          return writeRpcError(res, 413, -32600, `Request body larger than ${maxBodyBytes} bytes`, { connection: 'close' });
        }
        throw error;
      }
      const text = raw.toString('utf8');
      // Refused before anything walks it: past this depth nothing could pass it on (or log it).
      if (exceedsJsonDepth(text)) return writeRpcError(res, 400, -32600, `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      try {
        body = JSON.parse(text);
      } catch {
        return writeRpcError(res, 400, -32700, 'Parse error: invalid JSON');
      }
      const checked = checkWire(body);
      if (!checked.ok) return writeRpcError(res, 400, -32600, checked.message);
      wire = checked;
    }
    // Only a message that says it is an initialize pays for the SDK's full schema check.
    const initMessage = wire?.messages.find((m) => 'method' in m && m.method === 'initialize');
    // An initialize in the 2026-07-28 envelope is a modern request for a method that revision
    // removed: the modern entry answers it as the spec says (404, -32601), not a 2025 handshake.
    if (initMessage && req.headers['mcp-session-id'] === undefined && hasModernEnvelope(initMessage)) return modern.serve(req, res, body, identity);
    if (initMessage && !isInitializeRequest(initMessage)) return writeRpcError(res, 400, -32602, 'Invalid params: initialize needs protocolVersion, capabilities and clientInfo');
    const initialize = initMessage as InitializeRequest | undefined;
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    // Draining: only answers and notifications for sessions already here (a call in flight may be
    // waiting on the client's answer); anything that would start work goes to another instance.
    if (closing && (sessionId === undefined || !wire || wire.messages.some(isRequest))) {
      return writeRpcError(res, 503, -32000, 'Shutting down', { 'retry-after': '1', connection: 'close' });
    }
    if (sessionId !== undefined) {
      const found = await sessions.find(sessionId, cred, clientKey());
      if ('refused' in found) {
        if (found.refused === 'full') return writeRpcError(res, 503, -32000, 'Too many sessions', { 'retry-after': '5' });
        if (found.refused === 'client-full') return writeRpcError(res, 429, -32000, 'Too many sessions for this client, all of them busy; end some (DELETE) first', { 'retry-after': '5' });
        return writeRpcError(res, 404, -32001, 'Session not found; initialize a new session');
      }
      if (initialize) return writeRpcError(res, 400, -32600, 'Invalid Request: Server already initialized');
      if (wire && rateLimited(res, identity, wire.messages, '2025')) return;
      return sessions.serve(found.record, req, res, wire, identity);
    }
    if (req.method !== 'POST' || !wire) return writeRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    // No session and no initialize: a 2026-07-28 request, served on its own; else a 2025 client
    // that skipped its handshake. The SDK's classifier decides, so both legs agree with its entry.
    if (!initialize && (await modern.claims(req, body))) {
      if (rateLimited(res, identity, wire.messages, '2026')) return;
      return modern.serve(req, res, body, identity);
    }
    if (!initialize) return writeRpcError(res, 400, -32000, 'Bad Request: no session; send an initialize request first');
    if (wire.messages.length > 1) return writeRpcError(res, 400, -32600, 'Invalid Request: Only one initialization request is allowed');
    const client = clientKey();
    const refused = sessions.makeRoom(client);
    if (refused === 'full') return writeRpcError(res, 503, -32000, 'Too many sessions', { 'retry-after': '5' });
    if (refused === 'client-full') return writeRpcError(res, 429, -32000, 'Too many sessions for this client, all of them busy; end some (DELETE) first', { 'retry-after': '5' });
    return sessions.serve(await sessions.create(initialize, cred, client), req, res, wire, identity);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The MCP path as sent (nearly every request) needs no URL parse, which costs more than the
    // lane's own routing decision; anything else is normalized by the WHATWG parser as before.
    const pathname = req.url === path ? path : new URL(req.url ?? '/', 'http://gateway').pathname;
    if (!guard(req, res)) return;
    // Protected Resource Metadata (RFC 9728) is public: it is how a client learns where to get a token.
    const oauth = auth?.oauth;
    if (oauth && req.method === 'GET' && oauth.metadataPaths().includes(pathname)) {
      return void res.writeHead(200, { ...JSON_HEADERS, 'cache-control': 'max-age=300' }).end(JSON.stringify(oauth.metadata()));
    }
    if (req.method === 'GET' && pathname === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (req.method === 'GET' && pathname === '/readyz') {
      if (closing) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('shutting down\n');
      const ready = gateway.router.registry.all().some((e) => e.health.status === 'healthy' && e.breaker !== 'open');
      return void res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'no healthy upstream\n');
    }
    const atDashboard = dashboard !== undefined && isDashboardPath(pathname);
    const known = pathname === path || pathname === '/metrics' || pathname === '/services' || atDashboard;
    if (!known) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    const outcome = await auth!.authenticate(req);
    if ('refused' in outcome) return refuse(res, outcome.refused);
    const identity = outcome.identity;
    if (atDashboard && dashboard) return dashboard.handle(req, res, pathname);
    if (pathname === '/metrics' && req.method === 'GET') {
      return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(gateway.metrics.render(gateway.router, gateway.sessionCount, gateway.modernRequestsInFlight));
    }
    if (pathname === '/services' && req.method === 'GET') {
      return void res.writeHead(200, JSON_HEADERS).end(JSON.stringify(await servicesReport(gateway)));
    }
    if (pathname === path && (req.method === 'POST' || req.method === 'GET' || req.method === 'DELETE')) return handleMcp(req, res, identity);
    res.writeHead(405, { allow: pathname === path ? 'GET, POST, DELETE' : 'GET' }).end();
  };

  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  const server = createServer({ headersTimeout: headersTimeoutMs, requestTimeout: options.requestTimeoutMs ?? 30_000, connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs) }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A client that goes away mid-body is not the gateway's failure.
      if (req.destroyed || (error as NodeJS.ErrnoException).code === 'ECONNRESET') return void logger.debug('client went away', { error });
      logger.error('request failed', { error });
      writeRpcError(res, 500, -32603, 'Internal error');
    });
  });
  limitConnections(server, {
    max: options.maxConnections ?? 8_192,
    perAddress: options.maxConnectionsPerAddress ?? 1_024,
    firstRequestMs: headersTimeoutMs,
    onRefused: (why, address) => logger.debug('connection refused', { why, address }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  if (isLoopbackHost(host)) {
    const hosts = options.allowedHosts ?? defaultAllowedHosts(host, port);
    allowedHosts = new Set(hosts.map((h) => h.toLowerCase()));
    allowedOrigins = new Set((options.allowedOrigins ?? defaultAllowedOrigins(hosts)).map((o) => o.toLowerCase()));
  } else {
    if (options.allowedHosts) allowedHosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
    if (options.allowedOrigins) allowedOrigins = new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
  }

  const urlHost = host.includes(':') ? `[${host}]` : host;
  resourceUrl = `http://${urlHost}:${port}${path}`;
  auth = createAuthenticator(options.auth, resourceUrl);
  return {
    url: resourceUrl,
    port,
    get sessionCount() {
      return sessions.size;
    },
    setAuth(next) {
      auth = createAuthenticator(next, resourceUrl);
    },
    close() {
      return (closed ??= (async () => {
        closing = true;
        dashboard?.close();
        stopListening();
        const deadline = Date.now() + (options.drainMs ?? 10_000);
        if (sessions.busy) logger.info('draining requests in flight before closing', { sessions: sessions.size });
        while (sessions.busy && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        await sessions.close();
        await modern.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })());
    },
  };
}

async function servicesReport(gateway: Gateway): Promise<unknown> {
  const health = await gateway.router.getServiceHealth();
  const perf = gateway.router.getPerformanceReport();
  const catalog = gateway.catalog();
  const exposedBy = new Map<string, string[]>();
  for (const route of catalog.tools.values()) for (const m of route.members) (exposedBy.get(m) ?? exposedBy.set(m, []).get(m)!).push(route.name);
  return {
    services: gateway.router.registry.all().map((e) => ({
      name: e.name,
      transport: e.descriptor.transport,
      source: e.descriptor.source,
      tools: [...e.tools.keys()],
      exposedTools: exposedBy.get(e.name) ?? [],
      health: health[e.name],
      stats: perf.services[e.name],
    })),
    sessions: gateway.sessionCount,
    modernRequestsInFlight: gateway.modernRequestsInFlight,
    conflicts: catalog.conflicts,
    totalRoutingDecisions: perf.totalRoutingDecisions,
    totalFailovers: perf.totalFailovers,
  };
}
