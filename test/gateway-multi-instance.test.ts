// Several gateway instances behind a plain (non-sticky) load balancer: one SDK client whose every
// HTTP request goes to the next instance in turn. Instances that share a session secret resume each
// other's sessions from the sealed session id; a token from another secret, an altered one, or one
// the instance saw deleted is refused with 404.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createEtcdSessionStore } from '@switchboard/discovery-etcd';
import { createMemorySessionStore, type SessionStateStore, type SharedSessionState } from '@switchboard/gateway';
import { startEtcd } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { roundRobinFetch } from './helpers/round-robin-fetch.js';
import { waitFor } from './helpers/wait.js';

const SECRET = 'test-secret-0123456789-abcdefghijklmnop';
const NEW_SECRET = 'rotated-secret-9876543210-zyxwvutsrqpon';
const OTHER_SECRET = 'another-deployment-secret-0000000000000';

let upstream: GatewayFixture;
let a: GatewayHarness;
let b: GatewayHarness;
let foreign: GatewayHarness;
let rotated: GatewayHarness;
const clients: Client[] = [];

beforeAll(async () => {
  upstream = await startGatewayFixture({ name: 'up' });
  const servers = [{ name: 'up', transport: 'http', url: upstream.url }];
  [a, b, foreign, rotated] = await Promise.all([
    startGateway(servers, { http: { sessionSecrets: [SECRET] } }),
    startGateway(servers, { http: { sessionSecrets: [SECRET] } }),
    startGateway(servers, { http: { sessionSecrets: [OTHER_SECRET] } }),
    startGateway(servers, { http: { sessionSecrets: [NEW_SECRET, SECRET] } }),
  ]);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await Promise.all([a, b, foreign, rotated].map((h) => h?.close()));
  await upstream?.close();
});

const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };

async function rawCall(harness: GatewayHarness, sessionId: string, method: string, params: Record<string, unknown> = {}): Promise<{ status: number; body: { result?: Record<string, unknown>; error?: { code: number } } }> {
  const res = await fetch(harness.http.url, { method: 'POST', headers: { ...mcpHeaders, 'mcp-session-id': sessionId }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const text = await res.text();
  const data = res.headers.get('content-type')?.includes('text/event-stream') ? text.split('\n').find((l) => l.startsWith('data: '))!.slice(6) : text;
  return { status: res.status, body: JSON.parse(data) as never };
}

async function rawSession(harness: GatewayHarness): Promise<string> {
  const res = await fetch(harness.http.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  await res.text();
  expect(res.status).toBe(200);
  return res.headers.get('mcp-session-id')!;
}

describe('several gateway instances, one client, no sticky sessions', () => {
  it('serves every request of one session from whichever instance gets it', async () => {
    const served = [0, 0];
    const client = new Client({ name: 'lb-client', version: '1.0.0' }, { capabilities: { sampling: {} } });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(a.http.url), { fetch: roundRobinFetch([a.http.url, b.http.url], served) }));

    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('echo');
    for (let i = 0; i < 6; i++) {
      expect(firstText(await client.callTool({ name: 'echo', arguments: { text: `call ${i}` } }))).toBe(`call ${i}`);
    }
    // Both instances did real work for this one session, and each holds it once.
    expect(served[0]).toBeGreaterThanOrEqual(4);
    expect(served[1]).toBeGreaterThanOrEqual(4);
    expect(a.http.sessionCount).toBe(1);
    expect(b.http.sessionCount).toBe(1);
    const metrics = async (h: GatewayHarness) => (await fetch(h.http.url.replace('/mcp', '/metrics'))).text();
    expect(await metrics(a)).toContain('switchboard_gateway_sessions_opened_total{how="initialize"} 1');
    expect(await metrics(b)).toContain('switchboard_gateway_sessions_opened_total{how="resume"} 1');
    // The instance that never saw the initialize learnt the client's capabilities from the token:
    // each instance opened its own upstream session declaring exactly them (the gateway's shared
    // connections declare sampling, elicitation and roots, so they do not match).
    const declared = upstream.initializedWith.filter((c) => JSON.stringify(c) === JSON.stringify({ sampling: {} }));
    expect(declared.length).toBe(2);
  });

  it('opens a token sealed with a retired secret on an instance that still lists it', async () => {
    const id = await rawSession(a);
    const listed = await rawCall(rotated, id, 'tools/list');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body.result)).toContain('echo');
  });

  it('refuses a token from another secret, an altered token, and a session deleted on that instance', async () => {
    const id = await rawSession(a);
    expect((await rawCall(b, id, 'ping')).status).toBe(200);
    expect((await rawCall(foreign, id, 'ping')).status).toBe(404);

    const middle = Math.floor(id.length / 2);
    const altered = id.slice(0, middle) + (id[middle] === 'A' ? 'B' : 'A') + id.slice(middle + 1);
    const refused = await rawCall(b, altered, 'ping');
    expect(refused.status).toBe(404);
    expect(refused.body.error?.code).toBe(-32001);

    const del = await fetch(a.http.url, { method: 'DELETE', headers: { ...mcpHeaders, 'mcp-session-id': id } });
    expect(del.status).toBe(200);
    expect((await rawCall(a, id, 'ping')).status).toBe(404);
  });

  it('keeps tokens private to the process when no secret is configured', async () => {
    const servers = [{ name: 'up', transport: 'http', url: upstream.url }];
    const [one, two] = await Promise.all([startGateway(servers), startGateway(servers)]);
    try {
      const id = await rawSession(one);
      expect((await rawCall(one, id, 'ping')).status).toBe(200);
      expect((await rawCall(two, id, 'ping')).status).toBe(404);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('shares the log level, subscriptions, sampling answers and the end of a session through a session store', async () => {
    const store = createMemorySessionStore();
    try {
      await sharedStateScenario(store, store);
    } finally {
      await store.close();
    }
  });

  it('shares them through etcd between instances that each have their own client', async () => {
    const etcd = await startEtcd();
    const stores = [0, 1].map(() => createEtcdSessionStore<SharedSessionState, JSONRPCMessage>({ endpoints: [etcd.endpoint], prefix: '/test/sessions/' }));
    try {
      await sharedStateScenario(stores[0]!, stores[1]!);
    } finally {
      await Promise.all(stores.map((st) => st.close()));
      await etcd.close();
    }
  });
});

/** Two instances, one client alternating between them: level, subscriptions, sampling answers and DELETE work across both. */
async function sharedStateScenario(storeOne: SessionStateStore, storeTwo: SessionStateStore): Promise<void> {
  const servers = [{ name: 'up', transport: 'http', url: upstream.url }];
  const [one, two] = await Promise.all([
    startGateway(servers, { http: { sessionSecrets: [SECRET], sessionStore: storeOne } }),
    startGateway(servers, { http: { sessionSecrets: [SECRET], sessionStore: storeTwo } }),
  ]);
  try {
    const served = [0, 0];
    const client = new Client({ name: 'lb-client', version: '1.0.0' }, { capabilities: { sampling: {} } });
    const asked: string[] = [];
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      const first = request.params.messages[0]?.content;
      asked.push(first && 'text' in first ? String(first.text) : '');
      return { role: 'assistant', model: 'test', content: { type: 'text', text: `answer ${asked.length}` } };
    });
    const logs: string[] = [];
    const updates: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(`${n.params.level}:${String(n.params.data)}`));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    const transport = new StreamableHTTPClientTransport(new URL(one.http.url), { fetch: roundRobinFetch([one.http.url, two.http.url], served) });
    await client.connect(transport);

    // Set once, on whichever instance gets it; honoured by both (a watch round trip later).
    await client.setLoggingLevel('warning');
    await waitForQuiet(client, logs);
    for (let i = 0; i < 4; i++) await client.callTool({ name: 'log', arguments: { level: 'info', message: `quiet ${i}` } });
    await client.callTool({ name: 'log', arguments: { level: 'error', message: 'loud' } });
    await waitFor(() => logs.includes('error:loud'), { what: 'the error log line' });
    expect(logs.filter((l) => l.startsWith('info:quiet'))).toEqual([]);

    // Subscribed through one instance; the update reaches the client whichever instance holds its
    // event stream, and whichever instance the triggering call lands on.
    // Two subscriptions back to back land on different instances: the second must not overwrite
    // the first in the store.
    await client.subscribeResource({ uri: 'note://up/shared' });
    await client.subscribeResource({ uri: 'note://up/second' });
    await waitFor(async () => {
      await client.callTool({ name: 'touch', arguments: { id: 'shared' } });
      await client.callTool({ name: 'touch', arguments: { id: 'second' } });
      return updates.filter((u) => u.endsWith('shared')).length >= 2 && updates.filter((u) => u.endsWith('second')).length >= 2;
    }, { what: 'updates of both subscriptions through both instances' });
    expect(new Set(updates)).toEqual(new Set(['note://up/shared', 'note://up/second']));
    expect(served[0]).toBeGreaterThan(2);
    expect(served[1]).toBeGreaterThan(2);

    // Sampling asked by whichever instance serves the call; the client's answer is a new POST, which
    // the balancer gives to the next instance: it is relayed back to the one that asked.
    for (let i = 1; i <= 3; i++) {
      expect(firstText(await client.callTool({ name: 'ask', arguments: { question: `q${i}` } }))).toBe(`sampled: answer ${i}`);
    }
    expect(asked).toEqual(['q1', 'q2', 'q3']);

    // Ended on one instance: refused by both.
    const id = transport.sessionId!;
    const del = await fetch(one.http.url, { method: 'DELETE', headers: { ...mcpHeaders, 'mcp-session-id': id } });
    expect(del.status).toBe(200);
    await waitFor(async () => (await rawCall(two, id, 'ping')).status === 404, { what: 'the other instance to refuse the ended session' });
    expect((await rawCall(one, id, 'ping')).status).toBe(404);
    await client.close().catch(() => undefined);
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
}

/** Until both instances filter out info lines: probe through each (the client alternates). */
async function waitForQuiet(client: Client, logs: string[]): Promise<void> {
  await waitFor(async () => {
    const before = logs.length;
    await client.callTool({ name: 'log', arguments: { level: 'info', message: 'probe' } });
    await client.callTool({ name: 'log', arguments: { level: 'info', message: 'probe' } });
    await new Promise((r) => setTimeout(r, 20));
    return logs.length === before;
  }, { what: 'the log level to reach both instances' });
}
