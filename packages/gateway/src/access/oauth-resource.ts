// The gateway as an OAuth 2.1 resource server (MCP authorization, 2026-07-28 rules, applied to both
// eras): JWT access tokens checked against the issuer's JWKS for signature, issuer, audience (this
// resource, RFC 8707), expiry and the scopes the gateway requires; Protected Resource Metadata
// (RFC 9728) for clients to find the authorization server. jose does the JOSE work.
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { SwitchboardError } from '@switchboard/core';
import type { Identity } from './identity.js';
import { bindSubjectToken } from './subject-token.js';

export interface OAuthOptions {
  /** The authorization server's issuer identifier; tokens must carry exactly this `iss`. */
  issuer: string;
  /**
   * This resource's canonical URI (RFC 8707): what clients ask tokens for and what PRM names.
   * Default: the URL the gateway serves MCP at.
   */
  resource?: string;
  /** Accepted `aud` values (default: the resource). A token for any other audience is refused. */
  audience?: readonly string[];
  /** The JWKS to check signatures with (default: `jwks_uri` from the issuer's metadata). */
  jwksUri?: string;
  /** Scopes every request's token must carry; missing ones get 403 insufficient_scope. */
  requiredScopes?: readonly string[];
  /** Scopes PRM advertises (default: requiredScopes). */
  scopesSupported?: readonly string[];
  /** Accepted signature algorithms (default: the asymmetric ones jose supports). */
  algorithms?: readonly string[];
  clockToleranceSec?: number;
  /** After a JWKS fetch, how long before another may be made for an unknown key id (default 30 s). */
  jwksCooldownMs?: number;
  /** Human-readable name for PRM. */
  resourceName?: string;
}

export type AuthRefusal =
  | { readonly status: 401; readonly error?: 'invalid_token'; readonly description: string }
  | { readonly status: 403; readonly error: 'insufficient_scope'; readonly description: string; readonly scope: string };

export type TokenCheck = { readonly identity: Identity } | { readonly refused: AuthRefusal };

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** Scopes in a token: `scope` (RFC 9068, space-separated) or `scp` (a list, as some issuers send). */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  return [];
}

export class OAuthResource {
  private jwks: JWTVerifyGetKey | undefined;
  private jwksLoading: Promise<JWTVerifyGetKey> | undefined;
  readonly resource: string;

  constructor(
    private readonly options: OAuthOptions,
    defaultResource: string,
  ) {
    this.resource = options.resource ?? defaultResource;
  }

  /** The Protected Resource Metadata document (RFC 9728 §2). */
  metadata(): Record<string, unknown> {
    const scopes = this.options.scopesSupported ?? this.options.requiredScopes;
    return {
      resource: this.resource,
      authorization_servers: [this.options.issuer],
      bearer_methods_supported: ['header'],
      ...(scopes && scopes.length > 0 ? { scopes_supported: [...scopes] } : {}),
      ...(this.options.resourceName ? { resource_name: this.options.resourceName } : {}),
    };
  }

  /** Where PRM is served: the path-suffixed well-known URI (named in challenges) and the root one. */
  metadataPaths(): string[] {
    const path = new URL(this.resource).pathname.replace(/\/$/, '');
    return path === '' ? ['/.well-known/oauth-protected-resource'] : [`/.well-known/oauth-protected-resource${path}`, '/.well-known/oauth-protected-resource'];
  }

  metadataUrl(): string {
    const url = new URL(this.resource);
    return `${url.origin}${this.metadataPaths()[0]}`;
  }

  /** The `WWW-Authenticate` value for a refusal (RFC 6750 §3, RFC 9728 §5.1). */
  challenge(refusal?: AuthRefusal): string {
    const parts = [`resource_metadata="${this.metadataUrl()}"`];
    const required = this.options.requiredScopes ?? [];
    if (refusal?.status === 403) parts.push(`error="insufficient_scope"`, `scope="${refusal.scope}"`);
    else if (required.length > 0) parts.push(`scope="${required.join(' ')}"`);
    if (refusal?.status === 401 && refusal.error) parts.push(`error="${refusal.error}"`);
    if (refusal) parts.push(`error_description="${refusal.description.replace(/["\\]/g, '')}"`);
    return `Bearer ${parts.join(', ')}`;
  }

  async check(token: string): Promise<TokenCheck> {
    let payload: JWTPayload;
    try {
      const jwks = await this.keys();
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: this.options.issuer,
        audience: [...(this.options.audience ?? [this.resource])],
        algorithms: [...(this.options.algorithms ?? ASYMMETRIC)],
        ...(this.options.clockToleranceSec !== undefined ? { clockTolerance: this.options.clockToleranceSec } : {}),
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      return { refused: { status: 401, error: 'invalid_token', description: refusalText(error) } };
    }
    const scopes = scopesOf(payload);
    const missing = (this.options.requiredScopes ?? []).filter((s) => !scopes.includes(s));
    if (missing.length > 0) {
      return { refused: { status: 403, error: 'insufficient_scope', description: `the token lacks scope ${missing.join(', ')}`, scope: (this.options.requiredScopes ?? []).join(' ') } };
    }
    const clientId = typeof payload.client_id === 'string' ? payload.client_id : typeof payload.azp === 'string' ? payload.azp : undefined;
    const subject = payload.sub ?? clientId;
    const identity: Identity = {
        key: `oauth:${payload.iss ?? this.options.issuer}#${subject ?? ''}`,
        method: 'oauth',
        ...(subject !== undefined ? { subject } : {}),
        ...(clientId !== undefined ? { clientId } : {}),
        scopes,
        claims: payload as Record<string, unknown>,
    };
    // Kept beside the identity for a token exchange toward upstreams, never inside it.
    return { identity: bindSubjectToken(identity, token) };
  }

  /** The issuer's key set: jose refetches it when a token names a key id it has not seen (rotation). */
  private async keys(): Promise<JWTVerifyGetKey> {
    if (this.jwks) return this.jwks;
    this.jwksLoading ??= this.locateJwks()
      .then((uri) => (this.jwks = createRemoteJWKSet(new URL(uri), { cooldownDuration: this.options.jwksCooldownMs ?? 30_000, timeoutDuration: 5_000 })))
      .finally(() => (this.jwksLoading = undefined));
    return this.jwksLoading;
  }

  /** `jwks_uri` from the issuer's metadata: OpenID discovery, then RFC 8414 (both as MCP clients try them). */
  private async locateJwks(): Promise<string> {
    if (this.options.jwksUri) return this.options.jwksUri;
    const issuer = this.options.issuer.replace(/\/$/, '');
    const url = new URL(this.options.issuer);
    const path = url.pathname.replace(/\/$/, '');
    const candidates = [`${issuer}/.well-known/openid-configuration`, `${url.origin}/.well-known/oauth-authorization-server${path}`];
    for (const candidate of candidates) {
      const response = await fetch(candidate, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      if (!response?.ok) continue;
      const doc = (await response.json().catch(() => undefined)) as { issuer?: unknown; jwks_uri?: unknown } | undefined;
      // RFC 8414 §3.3: a document naming another issuer must not be used.
      if (doc?.issuer !== this.options.issuer || typeof doc.jwks_uri !== 'string') continue;
      return doc.jwks_uri;
    }
    throw new SwitchboardError('AUTH_ISSUER_UNREACHABLE', `could not read the metadata of issuer ${this.options.issuer} (tried ${candidates.join(', ')})`, { plugin: 'gateway-auth' });
  }
}

/** What a refused token is told: the reason without echoing the token. */
function refusalText(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not accepted`;
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'the token is signed with a key the issuer does not publish';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (SwitchboardError.is(error)) return 'the authorization server could not be reached';
  if (error instanceof joseErrors.JOSEError) return 'the token is not a valid JWT access token';
  return 'the token could not be verified';
}
