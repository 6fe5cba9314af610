// Turns an HTTP request's credentials into an Identity: static bearer tokens and API keys (compared
// in constant time, known by a digest) for simple setups, and OAuth JWT access tokens where an issuer
// is configured. A bearer value matching a static token never reaches the JWT check.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ANONYMOUS_IDENTITY, type Identity } from './identity.js';
import { OAuthResource, type AuthRefusal, type OAuthOptions } from './oauth-resource.js';

/** A static credential, with the identity it stands for (policy keys on subject and scopes). */
export interface StaticCredential {
  token: string;
  subject?: string;
  scopes?: readonly string[];
  claims?: Readonly<Record<string, unknown>>;
}

export interface HttpAuthOptions {
  /** Accepted `Authorization: Bearer <token>` values. */
  bearerTokens?: ReadonlyArray<string | StaticCredential>;
  /** Header carrying an API key (default 'x-api-key'). */
  apiKeyHeader?: string;
  apiKeys?: ReadonlyArray<string | StaticCredential>;
  /** Accept OAuth 2.1 JWT access tokens from this authorization server. */
  oauth?: OAuthOptions;
}

export type AuthOutcome = { readonly identity: Identity } | { readonly refused: AuthRefusal };

export interface Authenticator {
  /** undefined when auth is off for this request path's purposes (every client is anonymous). */
  readonly oauth: OAuthResource | undefined;
  authenticate(req: IncomingMessage): Promise<AuthOutcome>;
  /** The `WWW-Authenticate` value answering a refusal. */
  challenge(refusal: AuthRefusal): string;
}

// Hashing first makes lengths equal, so a constant-time compare reveals nothing through timing.
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

interface KnownCredential {
  readonly secret: Buffer;
  readonly identity: Identity;
}

function known(kind: 'bearer' | 'key', entries: ReadonlyArray<string | StaticCredential> | undefined): KnownCredential[] {
  return (entries ?? []).map((entry) => {
    const c = typeof entry === 'string' ? { token: entry } : entry;
    const secret = digest(c.token);
    // The name a credential is known by: a digest, so it can sit in logs and session tokens.
    const key = `${kind}:${createHash('sha256').update(kind).update(secret).digest('base64url').slice(0, 22)}`;
    return {
      secret,
      identity: Object.freeze({
        key,
        method: kind === 'bearer' ? 'bearer' : 'api-key',
        ...(c.subject !== undefined ? { subject: c.subject } : {}),
        scopes: [...(c.scopes ?? [])],
        claims: { ...(c.claims ?? {}) },
      }),
    } as const;
  });
}

/** Constant-time lookup: every secret is compared, whichever matches. */
function match(creds: readonly KnownCredential[], candidate: string): Identity | undefined {
  const d = digest(candidate);
  let found: Identity | undefined;
  for (const c of creds) if (timingSafeEqual(c.secret, d) && found === undefined) found = c.identity;
  return found;
}

const MISSING: AuthRefusal = { status: 401, description: 'authentication required' };
const REJECTED: AuthRefusal = { status: 401, error: 'invalid_token', description: 'the credential is not accepted' };

/** `defaultResource`: the URL MCP is served at, the OAuth resource's URI unless config names one. */
export function createAuthenticator(auth: HttpAuthOptions | undefined, defaultResource: string): Authenticator {
  const bearer = known('bearer', auth?.bearerTokens);
  const keys = known('key', auth?.apiKeys);
  const oauth = auth?.oauth ? new OAuthResource(auth.oauth, defaultResource) : undefined;
  const header = (auth?.apiKeyHeader ?? 'x-api-key').toLowerCase();
  const challenge = (refusal: AuthRefusal): string => oauth?.challenge(refusal) ?? 'Bearer';
  if (bearer.length === 0 && keys.length === 0 && !oauth) return { oauth, challenge, authenticate: async () => ({ identity: ANONYMOUS_IDENTITY }) };
  return {
    oauth,
    challenge,
    async authenticate(req) {
      const authorization = req.headers.authorization;
      const token = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim())?.[1] : undefined;
      if (token !== undefined) {
        const identity = bearer.length > 0 ? match(bearer, token) : undefined;
        if (identity) return { identity };
        if (oauth) return oauth.check(token);
      }
      const key = req.headers[header];
      if (keys.length > 0 && typeof key === 'string') {
        const identity = match(keys, key);
        if (identity) return { identity };
        return { refused: REJECTED };
      }
      return { refused: token !== undefined ? REJECTED : MISSING };
    },
  };
}
