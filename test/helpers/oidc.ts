// A real OpenID provider (oidc-provider) on loopback for the gateway's OAuth tests: tokens come from
// its token endpoint with a real client_credentials grant and RFC 8707 resource indicators, as JWT
// access tokens signed with keys it publishes at its JWKS endpoint. `rotateKeys` swaps in a provider
// with new signing keys at the same issuer, as an operator's key rotation does.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

export interface OidcClientSpec {
  id: string;
  secret: string;
  /** Seconds the access tokens issued to this client live (default 300). */
  ttl?: number;
}

export interface TestIssuer {
  readonly issuer: string;
  /** A JWT access token for `resource` with `scope`, by the client_credentials grant. */
  token(client: OidcClientSpec, resource: string, scope: string): Promise<string>;
  /** New signing keys (a new key id): tokens issued from now on are signed with them. */
  rotateKeys(): Promise<void>;
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
  const build = async (): Promise<Provider> => {
    const p = new Provider(issuer, {
      clients: clients.map((c) => ({ client_id: c.id, client_secret: c.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: SCOPES })),
      scopes: ['openid', 'offline_access', ...SCOPES.split(' ')],
      jwks: { keys: [await signingKey()] },
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
    return p;
  };
  provider = await build();
  return {
    issuer,
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
