// The `gateway:` section of a Switchboard config file, read by `switchboard serve`. Core accepts the
// key and leaves it to this schema, so the router stays unaware of how it is served.
import { z } from 'zod';
import { auditSchema, authSchema, pinsSchema, policySchema, rateLimitsSchema, upstreamAuthSchema } from './access/access-schema.js';

export const gatewayConfigSchema = z.strictObject({
  /** Tool naming when two different tools share a name. */
  namespace: z.enum(['on-collision', 'always', 'never']).default('on-collision'),
  http: z
    .strictObject({
      port: z.number().int().min(0).max(65_535).default(8080),
      host: z.string().min(1).default('127.0.0.1'),
      path: z.string().startsWith('/').default('/mcp'),
    })
    .default({ port: 8080, host: '127.0.0.1', path: '/mcp' }),
  /** Static bearer tokens and API keys, and/or OAuth 2.1 JWT access tokens (see docs/security.md). */
  auth: authSchema.optional(),
  /** Which tools, prompts and resources each identity may see and call. */
  policy: policySchema.optional(),
  /** Token buckets per identity and per tool. */
  rateLimits: rateLimitsSchema.optional(),
  /** Tool-definition pinning (default on, onDefinitionChange: warn); false turns it off. */
  pins: z.union([z.literal(false), pinsSchema]).default({ onDefinitionChange: 'warn' }),
  /** Per upstream (replicaGroup or server name): a token exchange for the caller's token instead of the entry's headers. */
  upstreamAuth: upstreamAuthSchema.optional(),
  /** One JSON line per call and per refused call. */
  audit: auditSchema.optional(),
  allowedHosts: z.array(z.string().min(1)).optional(),
  allowedOrigins: z.array(z.string().min(1)).optional(),
  sessionIdleMs: z.number().int().positive().optional(),
  /**
   * Seals session tokens so that every instance with the same secret can resume any session: put
   * several gateways behind a plain load balancer. A list rotates: the first seals, all open.
   * Use `${VAR}` to keep it out of the file.
   */
  sessionSecret: z
    .union([z.string(), z.array(z.string()).min(1)])
    .transform((v) => (typeof v === 'string' ? [v] : v))
    .pipe(z.array(z.string().min(32, 'a session secret must be at least 32 characters (e.g. `openssl rand -base64 32`)')))
    .optional(),
  /** A session token older than this is refused by every instance (default 24 h). */
  sessionMaxAgeMs: z.number().int().positive().optional(),
  /**
   * Where instances share what a client changes after initialize (log level, subscriptions, DELETE)
   * and relay the client's answers to another instance's sampling/elicitation/roots requests:
   * `etcd` for instances in several processes. Without it each instance knows only its own part.
   */
  sessionStore: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('etcd'), endpoints: z.array(z.string().url()).min(1), prefix: z.string().min(1).optional() }),
    ])
    .optional(),
  maxBodyBytes: z.number().int().positive().optional(),
  /** On shutdown, how long requests in flight may take to finish while new ones are refused (default 10 s). */
  drainMs: z.number().int().min(0).optional(),
  maxSessions: z.number().int().positive().optional(),
  maxSessionsPerClient: z.number().int().positive().optional(),
  unusedSessionIdleMs: z.number().int().positive().optional(),
  maxInFlightPerSession: z.number().int().positive().optional(),
  maxBufferedBytesPerStream: z.number().int().min(1024).optional(),
  maxConnections: z.number().int().positive().optional(),
  maxConnectionsPerAddress: z.number().int().positive().optional(),
  headersTimeoutMs: z.number().int().positive().optional(),
  requestTimeoutMs: z.number().int().positive().optional(),
  /** Serve the read-only live dashboard at /dashboard (same auth and Host/Origin rules as /metrics). */
  dashboard: z.boolean().default(false),
  /** Per service: 'shared' (one stdio process for all sessions, the default) or 'per-session'. */
  isolation: z.record(z.string(), z.enum(['shared', 'per-session'])).optional(),
  /** Cap on per-session processes of one service. */
  maxProcessesPerService: z.number().int().positive().optional(),
  /** A per-session process idle this long is ended. */
  processIdleMs: z.number().int().positive().optional(),
  /** Items per page of tools/resources/prompts lists sent to clients. */
  pageSize: z.number().int().positive().optional(),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

/**
 * What the router's shared upstream connections should declare when the router is served by the
 * gateway: the gateway forwards these server-to-client requests to the client session that caused
 * them (see shared-upstreams.ts), so upstreams may offer the tools that need them.
 */
export const GATEWAY_CLIENT_CAPABILITIES = { sampling: {}, elicitation: {}, roots: { listChanged: true } } as const;
