// A real OpenID provider (oidc-provider) on loopback for the gateway's OAuth tests: tokens come from
// its token endpoint with a real client_credentials grant and RFC 8707 resource indicators, as JWT
// access tokens signed with keys it publishes at its JWKS endpoint. `rotateKeys` swaps in a provider
// with new signing keys at the same issuer, as an operator's key rotation does.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';

export interface OidcClientSpec {
  id: string;
  secret: string;
  /** Seconds the access tokens issued to this client live (default 300). */
  ttl?: number;
  /** May trade a token it was given for one issued for another audience (RFC 8693). */
  exchanges?: boolean;
}

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

export interface TestIssuer {
  readonly issuer: string;
  /** A JWT access token for `resource` with `scope`, by the client_credentials grant. */
  token(client: OidcClientSpec, resource: string, scope: string): Promise<string>;
  /** New signing keys (a new key id): tokens issued from now on are signed with them. */
  rotateKeys(): Promise<void>;
  /** Token exchanges served so far: the subject each was for and the audience asked. */
  readonly exchanges: Array<{ client: string; subject: string; audience: string }>;
  close(): Promise<void>;
}

const SCOPES = 'mcp:tools mcp:admin';

async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: 'RS256', use: 'sig', kid: `k-${Math.random().toString(36).slice(2, 10)}` };
}

export async function startTestIssuer(clients: readonly OidcClientSpec[]): Promise<TestIssuer> {
  let provider: Provider | undefined;
  const server: Server = createServer((req, res) => {
    if (!provider) return void res.writeHead(503).end();
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ttls = new Map(clients.map((c) => [c.id, c.ttl ?? 300]));
  const exchanges: TestIssuer['exchanges'] = [];
  const build = async (): Promise<Provider> => {
    const key = await signingKey();
    const p = new Provider(issuer, {
      clients: clients.map((c) => ({ client_id: c.id, client_secret: c.secret, grant_types: ['client_credentials', ...(c.exchanges ? [TOKEN_EXCHANGE_GRANT] : [])], redirect_uris: [], response_types: [], scope: SCOPES })),
      scopes: ['openid', 'offline_access', ...SCOPES.split(' ')],
      jwks: { keys: [key] },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          // Every resource a client names is a resource server here; its tokens are JWTs for it.
          getResourceServerInfo: (_ctx, resource, client) => ({ scope: SCOPES, audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: ttls.get(client.clientId) ?? 300, jwt: { sign: { alg: 'RS256' } } }),
        },
      },
    });
    // RFC 8693 through oidc-provider's grant extension point: the subject token must be one this
    // issuer signed; the new token names the same subject, the asked audience, and the exchanging client as actor.
    const publicJwks = createLocalJWKSet({ keys: [{ kty: key.kty!, n: key.n!, e: key.e!, kid: key.kid!, alg: 'RS256' }] });
    const signing = await importJWK(key, 'RS256');
    p.registerGrantType(
      TOKEN_EXCHANGE_GRANT,
      async (ctx) => {
        const params = ctx.oidc.params as Record<string, string | undefined>;
        const client = ctx.oidc.client!.clientId;
        let subject: string;
        try {
          subject = (await jwtVerify(params.subject_token ?? '', publicJwks, { issuer })).payload.sub ?? '';
        } catch {
          ctx.status = 400;
          ctx.body = { error: 'invalid_grant', error_description: 'subject_token is not valid' };
          return;
        }
        const audience = params.resource ?? params.audience ?? '';
        exchanges.push({ client, subject, audience });
        const token = await new SignJWT({ scope: params.scope ?? '', client_id: client, act: { sub: client } })
          .setProtectedHeader({ alg: 'RS256', kid: key.kid!, typ: 'at+jwt' })
          .setIssuer(issuer)
          .setSubject(subject)
          .setAudience(audience)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(signing);
        ctx.body = { access_token: token, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 300 };
      },
      ['subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'resource', 'scope'],
    );
    return p;
  };
  provider = await build();
  return {
    issuer,
    exchanges,
    async token(client, resource, scope) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }).toString(),
      });
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!body.access_token) throw new Error(`token request failed: ${body.error ?? response.status} ${body.error_description ?? ''}`);
      return body.access_token;
    },
    async rotateKeys() {
      provider = await build();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
