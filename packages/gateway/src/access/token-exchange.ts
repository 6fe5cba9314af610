// OAuth 2.0 Token Exchange (RFC 8693) toward upstreams configured for it: the client's access token
// (issued for the gateway) is traded at the authorization server for a token issued for the
// upstream, and that token, not the client's, goes on the upstream requests of the call. Tokens are
// cached per upstream and subject token until shortly before they expire.
import { createHash } from 'node:crypto';
import { SwitchboardError } from '@switchboard/core';
import type { Identity } from './identity.js';
import { subjectTokenOf } from './subject-token.js';

export interface TokenExchangeConfig {
  /** The authorization server's token endpoint. */
  tokenEndpoint: string;
  /** The gateway's own client at that server (client_secret_basic). */
  clientId: string;
  clientSecret: string;
  /** What to ask the token for: `audience` and/or `resource` (the upstream's URI), and `scope`. */
  audience?: string;
  resource?: string;
  scope?: string;
}

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** An exchanged token is not used in its last seconds: it may expire in flight. */
const EXPIRY_MARGIN_MS = 30_000;
const MAX_CACHED = 10_000;

interface Cached {
  readonly token: string;
  readonly until: number;
}

export class TokenExchanger {
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<string>>();

  /** `configs`: per upstream (its replicaGroup, else its service name). */
  constructor(
    private readonly configs: Readonly<Record<string, TokenExchangeConfig>>,
    private readonly now: () => number = Date.now,
  ) {}

  covers(upstream: string): boolean {
    return this.configs[upstream] !== undefined;
  }

  /** A token for `upstream` standing for `identity`; throws UPSTREAM_AUTH_FAILED saying why not. */
  async tokenFor(identity: Identity, upstream: string): Promise<string> {
    const config = this.configs[upstream];
    const subject = subjectTokenOf(identity);
    if (!config) throw new SwitchboardError('UPSTREAM_AUTH_FAILED', `no token exchange is configured for ${upstream}`, { service: upstream });
    if (!subject) {
      throw new SwitchboardError('UPSTREAM_AUTH_FAILED', `${upstream} takes only tokens exchanged for an OAuth access token; this client did not authenticate with one`, { service: upstream });
    }
    const key = `${upstream}\u0000${createHash('sha256').update(subject).digest('base64url')}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > this.now()) return hit.token;
    const running = this.inflight.get(key);
    if (running) return running;
    const attempt = this.exchange(config, subject, upstream, identity)
      .then((cached) => {
        this.cache.delete(key);
        this.cache.set(key, cached);
        if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
        return cached.token;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, attempt);
    return attempt;
  }

  private async exchange(config: TokenExchangeConfig, subject: string, upstream: string, identity: Identity): Promise<Cached> {
    const body = new URLSearchParams({ grant_type: GRANT, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE, requested_token_type: ACCESS_TOKEN_TYPE });
    if (config.audience) body.set('audience', config.audience);
    if (config.resource) body.set('resource', config.resource);
    if (config.scope) body.set('scope', config.scope);
    let response: Response;
    try {
      response = await fetch(config.tokenEndpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`).toString('base64')}`,
        },
        body: body.toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new SwitchboardError('UPSTREAM_AUTH_FAILED', `token exchange for ${upstream} failed: ${config.tokenEndpoint} could not be reached`, { service: upstream, cause: error });
    }
    const answer = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    if (!response.ok || typeof answer.access_token !== 'string') {
      const why = typeof answer.error === 'string' ? `${answer.error}${typeof answer.error_description === 'string' ? `: ${answer.error_description}` : ''}` : `HTTP ${response.status}`;
      throw new SwitchboardError('UPSTREAM_AUTH_FAILED', `token exchange for ${upstream} was refused (${why})`, { service: upstream });
    }
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in * 1000 : 60_000;
    // Never beyond the subject token: the exchanged one stands for it.
    const subjectExp = typeof identity.claims.exp === 'number' ? identity.claims.exp * 1000 : Number.POSITIVE_INFINITY;
    return { token: answer.access_token, until: Math.min(this.now() + lifetime - EXPIRY_MARGIN_MS, subjectExp) };
  }
}
