// Per-session passthrough through the gateway over real Streamable HTTP: progress, logging,
// sampling, elicitation, roots, cancellation, ping, completion and resource subscriptions, with two
// client sessions that must never see each other's messages.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

let upstream: GatewayFixture;
let harness: GatewayHarness;

beforeAll(async () => {
  upstream = await startGatewayFixture({ name: 'up' });
  harness = await startGateway([{ name: 'up', transport: 'http', url: upstream.url }]);
});

afterAll(async () => {
  await harness?.close();
  await upstream?.close();
});

function collectLogs(client: Client): LoggingMessageNotification['params'][] {
  const logs: LoggingMessageNotification['params'][] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
  return logs;
}

describe('gateway passthrough', () => {
  it('forwards progress for the client progress token', async () => {
    const client = await harness.connect();
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, { onprogress: (p) => void progress.push(p) });
    expect(firstText(result)).toBe('up: 3 steps');
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
    expect(progress[2]).toMatchObject({ total: 3, message: 'step 3' });
  });

  it('opens one upstream session per client session, lazily, and closes it when the client leaves', async () => {
    const before = upstream.sessionsOpened;
    const client = await harness.connect();
    expect(upstream.sessionsOpened).toBe(before); // nothing needed the upstream yet
    await client.callTool({ name: 'whoami' });
    await client.callTool({ name: 'whoami' });
    expect(upstream.sessionsOpened).toBe(before + 1);
    const open = upstream.sessionsOpen;
    await (client.transport as StreamableHTTPClientTransport).terminateSession(); // DELETE
    await client.close();
    await waitFor(() => upstream.sessionsOpen === open - 1, { what: 'upstream session released' });
    expect(harness.gateway.sessionCount).toBeGreaterThan(0); // the other tests' sessions are unaffected
  });

  it('forwards logging/setLevel and sends log messages back to the calling session only', async () => {
    const a = await harness.connect();
    const b = await harness.connect();
    const logsA = collectLogs(a);
    const logsB = collectLogs(b);
    await b.callTool({ name: 'whoami' }); // b has an upstream session too
    await a.setLoggingLevel('warning');
    await a.callTool({ name: 'log', arguments: { level: 'info', message: 'quiet' } });
    await a.callTool({ name: 'log', arguments: { level: 'error', message: 'loud' } });
    await waitFor(() => logsA.length >= 1, { what: 'log on a' });
    expect(logsA.map((l) => l.data)).toEqual(['loud']);
    expect(logsA[0]).toMatchObject({ level: 'error', logger: 'up' });
    await b.callTool({ name: 'log', arguments: { level: 'info', message: 'for b' } }); // b's level is unset: info passes
    await waitFor(() => logsB.length >= 1, { what: 'log on b' });
    expect(logsB.map((l) => l.data)).toEqual(['for b']);
    expect(logsA.map((l) => l.data)).toEqual(['loud']);
  });

  it('sends sampling, elicitation and roots requests to the same client session and returns the answers', async () => {
    const a = await harness.connect({ sampling: {}, elicitation: {}, roots: { listChanged: true } });
    const b = await harness.connect({ sampling: {}, elicitation: {}, roots: {} });
    const asked: string[] = [];
    a.setRequestHandler(CreateMessageRequestSchema, async (r) => {
      const c = r.params.messages[0]!.content;
      asked.push(!Array.isArray(c) && c.type === 'text' ? c.text : '?');
      return { role: 'assistant', model: 'test', content: { type: 'text', text: 'forty-two' } };
    });
    a.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { ok: true } }));
    a.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: 'file:///work/a' }] }));
    const wrong: string[] = [];
    b.setRequestHandler(CreateMessageRequestSchema, async () => {
      wrong.push('sampling');
      return { role: 'assistant', model: 'x', content: { type: 'text', text: 'wrong session' } };
    });
    b.setRequestHandler(ListRootsRequestSchema, async () => {
      wrong.push('roots');
      return { roots: [{ uri: 'file:///work/b' }] };
    });
    expect(firstText(await a.callTool({ name: 'ask', arguments: { question: 'meaning?' } }))).toBe('sampled: forty-two');
    expect(asked).toEqual(['meaning?']);
    expect(firstText(await a.callTool({ name: 'confirm' }))).toBe('elicited: accept {"ok":true}');
    expect(firstText(await a.callTool({ name: 'roots' }))).toBe('roots: file:///work/a');
    expect(firstText(await b.callTool({ name: 'roots' }))).toBe('roots: file:///work/b');
    expect(wrong).toEqual(['roots']);
  });

  it('sends the upstream no cancellation for calls that finished', async () => {
    const client = await harness.connect();
    const before = upstream.cancelNotices;
    for (let i = 0; i < 5; i++) expect(firstText(await client.callTool({ name: 'echo', arguments: { text: `done ${i}` } }))).toBe(`done ${i}`);
    await client.ping(); // a full round trip after the last call: a stray notice would be in by now
    expect(upstream.cancelNotices - before).toBe(0);
  });

  it('cancels the upstream call when the client aborts', async () => {
    const client = await harness.connect();
    const noticesBefore = upstream.cancelNotices;
    const controller = new AbortController();
    const call = client.callTool({ name: 'hang', arguments: { tag: 'c1' } }, undefined, { signal: controller.signal });
    // Wait until the upstream has the call: before that there is nothing to cancel upstream.
    await waitFor(() => upstream.started.includes('c1'), { what: 'call started upstream' });
    controller.abort();
    await expect(call).rejects.toThrow();
    await waitFor(() => upstream.cancelled.includes('c1'), { what: 'upstream saw the cancellation' });
    expect(upstream.cancelNotices - noticesBefore).toBe(1);
    // The session still works afterwards.
    expect(firstText(await client.callTool({ name: 'whoami' }))).toBe('up');
  });

  it('answers ping and forwards completion for prompts and resource templates', async () => {
    const client = await harness.connect();
    await expect(client.ping()).resolves.toEqual({});
    const prompt = await client.complete({ ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'who', value: 'A' } });
    expect(prompt.completion.values).toEqual(['Ada', 'Alan']);
    const resource = await client.complete({ ref: { type: 'ref/resource', uri: 'note://up/{id}' }, argument: { name: 'id', value: 'b' } });
    expect(resource.completion.values).toEqual(['beta']);
    const got = await client.getPrompt({ name: 'greet', arguments: { who: 'Grace' } });
    expect(got.messages[0]!.content).toMatchObject({ text: 'Hello Grace from up' });
  });

  it('delivers resource updates only to the sessions subscribed to them', async () => {
    const a = await harness.connect();
    const b = await harness.connect();
    const updatesA: string[] = [];
    const updatesB: string[] = [];
    a.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updatesA.push(n.params.uri));
    b.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updatesB.push(n.params.uri));
    await b.callTool({ name: 'whoami' }); // b has an upstream session, but no subscription
    await a.subscribeResource({ uri: 'note://up/1' });
    await b.callTool({ name: 'touch', arguments: { id: '1' } });
    await waitFor(() => updatesA.length >= 1, { what: 'update on a' });
    expect(updatesA).toEqual(['note://up/1']);
    await a.unsubscribeResource({ uri: 'note://up/1' });
    await a.callTool({ name: 'touch', arguments: { id: '1' } });
    await b.callTool({ name: 'touch', arguments: { id: '1' } });
    await a.ping(); // notifications before this answer would already have arrived
    expect(updatesA).toEqual(['note://up/1']);
    expect(updatesB).toEqual([]);
  });

  it('makes a session\'s subscriptions again when its upstream restarts and the session is reopened', async () => {
    const client = await harness.connect();
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    await client.subscribeResource({ uri: 'note://up/7' });
    const port = Number(new URL(upstream.url).port);
    await upstream.close();
    upstream = await startGatewayFixture({ name: 'up', port });
    // The next call finds the old upstream session gone; the gateway drops it and the call after
    // that opens a fresh one, which must carry the subscription.
    await waitFor(async () => firstText(await client.callTool({ name: 'whoami' }).catch(() => ({ content: [] }))) === 'up', { what: 'the restarted upstream to answer' });
    await client.callTool({ name: 'touch', arguments: { id: '7' } });
    await waitFor(() => updates.includes('note://up/7'), { what: 'the update from the restarted upstream' });
  });
});
