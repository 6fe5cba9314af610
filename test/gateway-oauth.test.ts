// The gateway as an OAuth 2.1 resource server, against a real OpenID provider on loopback: tokens
// come from its token endpoint (client_credentials, RFC 8707 resource), are checked against its JWKS,
// and both a 2025 client (SDK v1) and a 2026-07-28 client (SDK v2, pinned) use them.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { startTestIssuer, type TestIssuer } from './helpers/oidc.js';

const APP = { id: 'app', secret: 'app-secret-0123456789' };
const SHORT = { id: 'short-lived', secret: 'short-secret-0123456789', ttl: 1 };

let issuer: TestIssuer;
let rogue: TestIssuer;
let upstream: GatewayFixture;
let harness: GatewayHarness;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  [issuer, rogue, upstream] = await Promise.all([startTestIssuer([APP, SHORT]), startTestIssuer([APP]), startGatewayFixture({ name: 'remote' })]);
  harness = await startGateway([{ name: 'remote', transport: 'http', url: upstream.url }], {
    // jwksCooldownMs 0: a token signed with a key id not yet seen refetches the JWKS at once.
    http: { auth: { oauth: { issuer: issuer.issuer, requiredScopes: ['mcp:tools'], jwksCooldownMs: 0 } } },
  });
}, 30_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await harness?.close();
  await Promise.all([upstream?.close(), issuer?.close(), rogue?.close()]);
});

/** A 2025 initialize with this token: the gateway's answer's status and WWW-Authenticate. */
async function initializeWith(token: string | undefined): Promise<{ status: number; challenge: string | null }> {
  const res = await fetch(harness.http.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  await res.body?.cancel();
  return { status: res.status, challenge: res.headers.get('www-authenticate') };
}

describe('OAuth 2.1 resource server', () => {
  it('answers 401 with resource_metadata and the required scope, and serves Protected Resource Metadata', async () => {
    const { status, challenge } = await initializeWith(undefined);
    expect(status).toBe(401);
    const metadataUrl = new URL('/.well-known/oauth-protected-resource/mcp', harness.http.url).href;
    expect(challenge).toContain(`resource_metadata="${metadataUrl}"`);
    expect(challenge).toContain('scope="mcp:tools"');
    for (const url of [metadataUrl, new URL('/.well-known/oauth-protected-resource', harness.http.url).href]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ resource: harness.http.url, authorization_servers: [issuer.issuer], scopes_supported: ['mcp:tools'] });
    }
  });

  it('serves a 2025 client and a 2026-07-28 client with a valid token, and never forwards the token upstream', async () => {
    const token = await issuer.token(APP, harness.http.url, 'mcp:tools');
    const legacy = new Client({ name: 'legacy', version: '1' });
    await legacy.connect(new StreamableHTTPClientTransport(new URL(harness.http.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    closers.push(() => legacy.close());
    expect(firstText(await legacy.callTool({ name: 'echo', arguments: { text: 'from 2025' } }))).toBe('from 2025');

    const modern = new ModernClient({ name: 'modern', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await modern.connect(new ModernHttpTransport(new URL(harness.http.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    closers.push(() => modern.close());
    expect(modern.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(firstText(await modern.callTool({ name: 'echo', arguments: { text: 'from 2026' } }))).toBe('from 2026');

    // No token passthrough: nothing the upstream received carries the client's token.
    expect(upstream.headers.length).toBeGreaterThan(0);
    for (const h of upstream.headers) expect(JSON.stringify(h)).not.toContain(token);
  });

  it('refuses an expired token with 401 invalid_token', async () => {
    const token = await issuer.token(SHORT, harness.http.url, 'mcp:tools');
    expect((await initializeWith(token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const { status, challenge } = await initializeWith(token);
    expect(status).toBe(401);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain('expired');
  });

  it('refuses a token for another resource (audience) and one from another issuer', async () => {
    const otherAudience = await issuer.token(APP, 'http://127.0.0.1:9/other-mcp', 'mcp:tools');
    const audience = await initializeWith(otherAudience);
    expect(audience.status).toBe(401);
    expect(audience.challenge).toContain('aud');
    // The rogue issuer signs a token for exactly this resource with exactly this scope.
    const foreign = await rogue.token(APP, harness.http.url, 'mcp:tools');
    const wrongIssuer = await initializeWith(foreign);
    expect(wrongIssuer.status).toBe(401);
    expect(wrongIssuer.challenge).toContain('error="invalid_token"');
  });

  it('answers a token without the required scope with 403 insufficient_scope naming the scope', async () => {
    const token = await issuer.token(APP, harness.http.url, 'mcp:admin');
    const { status, challenge } = await initializeWith(token);
    expect(status).toBe(403);
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="mcp:tools"');
  });

  it('follows a signing-key rotation: new tokens are accepted (JWKS refetched), tokens of the retired key are not', async () => {
    const before = await issuer.token(APP, harness.http.url, 'mcp:tools');
    expect((await initializeWith(before)).status).toBe(200);
    await issuer.rotateKeys();
    const after = await issuer.token(APP, harness.http.url, 'mcp:tools');
    expect((await initializeWith(after)).status).toBe(200);
    expect((await initializeWith(before)).status).toBe(401);
  });
});

describe('token exchange toward an upstream (RFC 8693)', () => {
  it("sends the upstream a token exchanged for the caller's, never the caller's own, and refuses callers it cannot exchange for", async () => {
    const GATEWAY = { id: 'gateway', secret: 'gateway-secret-0123456789', exchanges: true };
    const idp = await startTestIssuer([APP, GATEWAY]);
    const guarded = await startGatewayFixture({ name: 'guarded' });
    const upstreamResource = 'https://guarded.internal/mcp';
    const own = await startGateway([{ name: 'guarded', transport: 'http', url: guarded.url, headers: { Authorization: 'Bearer gateway-own-credential' } }], {
      http: { auth: { oauth: { issuer: idp.issuer }, bearerTokens: [{ token: 'static-token-0123456789', subject: 'cron' }] } },
      gateway: { upstreamAuth: { guarded: { tokenExchange: { tokenEndpoint: `${idp.issuer}/token`, clientId: GATEWAY.id, clientSecret: GATEWAY.secret, resource: upstreamResource, scope: 'mcp:tools' } } } },
    });
    try {
      const token = await idp.token(APP, own.http.url, 'mcp:tools');
      const client = new Client({ name: 'exchanging', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(own.http.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      closers.push(() => client.close());
      const before = guarded.headers.length;
      expect(firstText(await client.callTool({ name: 'echo', arguments: { text: 'exchanged' } }))).toBe('exchanged');
      expect(firstText(await client.callTool({ name: 'echo', arguments: { text: 'cached' } }))).toBe('cached');
      // One exchange (then cached), for the caller's subject and the upstream's resource.
      expect(idp.exchanges).toEqual([{ client: 'gateway', subject: 'app', audience: upstreamResource }]);
      const callHeaders = guarded.headers.slice(before).map((h) => String(h.authorization));
      const exchanged = callHeaders.find((h) => h !== 'Bearer gateway-own-credential');
      expect(exchanged).toBeDefined();
      const payload = JSON.parse(Buffer.from(exchanged!.split('.')[1]!, 'base64url').toString()) as { sub: string; aud: string; act: { sub: string } };
      expect(payload).toMatchObject({ sub: 'app', aud: upstreamResource, act: { sub: 'gateway' } });
      for (const h of guarded.headers) expect(JSON.stringify(h)).not.toContain(token);

      // A static-token caller has no token to exchange: a clear refusal, and nothing reaches the upstream.
      const cron = new Client({ name: 'cron', version: '1' });
      await cron.connect(new StreamableHTTPClientTransport(new URL(own.http.url), { requestInit: { headers: { authorization: 'Bearer static-token-0123456789' } } }));
      closers.push(() => cron.close());
      const seen = guarded.headers.length;
      await expect(cron.callTool({ name: 'echo', arguments: { text: 'no' } })).rejects.toThrow(/guarded takes only tokens exchanged for an OAuth access token/);
      expect(guarded.headers.slice(seen).some((h) => h['content-type'] && String(h.authorization) !== 'Bearer gateway-own-credential')).toBe(false);
    } finally {
      await own.close();
      await guarded.close();
      await idp.close();
    }
  });
});
