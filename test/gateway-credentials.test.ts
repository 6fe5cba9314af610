// Hardening: a session belongs to the credential that opened it. Another valid credential (a
// second bearer token, an API key) can neither use nor end it, on this instance or on another one
// sharing the secret; revoking a credential live (setAuth, as a config reload does) locks its
// sessions out at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttp, type HttpGateway } from '@switchboard/gateway';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

const T1 = 'first-bearer-token-0001';
const T2 = 'second-bearer-token-0002';
const KEY = 'an-api-key-for-tests-0003';
const SECRET = 'a-shared-session-secret-of-32-chars-or-more';
const auth = { bearerTokens: [T1, T2], apiKeys: [KEY] };

let upstream: GatewayFixture;
let harness: GatewayHarness;
let second: HttpGateway;

beforeAll(async () => {
  upstream = await startGatewayFixture({ name: 'up' });
  harness = await startGateway([{ name: 'up', transport: 'http', url: upstream.url }], { http: { auth, sessionSecrets: [SECRET] } });
  second = await serveHttp(harness.gateway, { port: 0, auth, sessionSecrets: [SECRET] });
});

afterAll(async () => {
  await second?.close();
  await harness?.close();
  await upstream?.close();
});

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18', ...headers }, body: JSON.stringify(body) });
}

async function openSession(url: string, headers: Record<string, string>): Promise<string> {
  const res = await post(url, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }, headers);
  expect(res.status).toBe(200);
  await res.text();
  const id = res.headers.get('mcp-session-id')!;
  await (await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { ...headers, 'mcp-session-id': id })).text();
  return id;
}

async function callStatus(url: string, session: string, headers: Record<string, string>): Promise<number> {
  const res = await post(url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } }, { ...headers, 'mcp-session-id': session });
  await res.text();
  return res.status;
}

describe('sessions bound to their credential', () => {
  it('refuses a session to another valid token or an API key, and lets neither end it', async () => {
    const session = await openSession(harness.http.url, bearer(T1));
    expect(await callStatus(harness.http.url, session, bearer(T1))).toBe(200);
    expect(await callStatus(harness.http.url, session, bearer(T2))).toBe(404);
    expect(await callStatus(harness.http.url, session, { 'x-api-key': KEY })).toBe(404);
    const del = await fetch(harness.http.url, { method: 'DELETE', headers: { ...bearer(T2), 'mcp-session-id': session } });
    expect(del.status).toBe(404);
    expect(await callStatus(harness.http.url, session, bearer(T1))).toBe(200);
  });

  it('refuses it on another instance that shares the secret too, and resumes it there for its own credential', async () => {
    const session = await openSession(harness.http.url, bearer(T1));
    expect(await callStatus(second.url, session, { 'x-api-key': KEY })).toBe(404);
    expect(await callStatus(second.url, session, bearer(T1))).toBe(200);
  });

  it('locks a revoked credential and its sessions out at once, keeping the others', async () => {
    const client = await harness.connect({}, bearer(T2));
    const revoked = await openSession(harness.http.url, bearer(T1));
    harness.http.setAuth({ bearerTokens: [T2], apiKeys: [KEY] });
    try {
      expect(await callStatus(harness.http.url, revoked, bearer(T1))).toBe(401);
      expect((await post(harness.http.url, {}, bearer(T1))).status).toBe(401);
      expect(firstText(await client.callTool({ name: 'echo', arguments: { text: 'still' } }))).toBe('still');
    } finally {
      harness.http.setAuth(auth);
    }
  });
});
