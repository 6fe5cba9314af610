// The Tasks extension (io.modelcontextprotocol/tasks) through two gateway instances that share a
// secret and nothing else, in front of a replica set of two task-capable 2026-07-28 servers: the
// task handle a client gets is sealed, names the replica that owns the task, and any instance
// routes tasks/get, tasks/update and tasks/cancel to that replica. Clients that did not declare the
// extension get the synchronous result, as the extension's fallback rule says.
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyHttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FixtureTasks, startModernHttpFixture, type ModernHttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { modernRequest, type ModernAnswer } from './helpers/modern-request.js';

const SECRET = 'a tasks test secret that is at least thirty-two characters long';
const TASKS = 'io.modelcontextprotocol/tasks';

const stores = { a: new FixtureTasks(), b: new FixtureTasks() };
let a: ModernHttpFixture;
let b: ModernHttpFixture;
let one: GatewayHarness;
let two: GatewayHarness;

beforeAll(async () => {
  a = await startModernHttpFixture({ name: 'builder-a', tasks: stores.a });
  b = await startModernHttpFixture({ name: 'builder-b', tasks: stores.b });
  const servers = [
    { name: 'builder-a', url: a.url, replicaGroup: 'builders' },
    { name: 'builder-b', url: b.url, replicaGroup: 'builders' },
  ];
  // Two instances, each with its own router and upstream connections; one secret, no session store.
  one = await startGateway(servers, { strategy: 'round-robin', http: { sessionSecrets: [SECRET] } });
  two = await startGateway(servers, { strategy: 'round-robin', http: { sessionSecrets: [SECRET] } });
}, 30_000);

afterAll(async () => {
  await two?.close();
  await one?.close();
  await Promise.all([a?.close(), b?.close()]);
});

/** One stateless 2026-07-28 request, as a client that declares the Tasks extension (unless told not to) sends it. */
function rpc(url: string, method: string, params: Record<string, unknown>, declare = true): Promise<ModernAnswer> {
  return modernRequest(url, method, params, { capabilities: declare ? { extensions: { [TASKS]: {} }, elicitation: { form: {} } } : {} });
}

const seenBy = (store: FixtureTasks, method: string) => store.seen.filter((s) => s.method === method).length;

describe('the Tasks extension through the gateway', () => {
  it('hands out a sealed task handle, and any instance polls, answers and completes the task on the replica that owns it', async () => {
    const created = await rpc(one.http.url, 'tools/call', { name: 'build', arguments: { what: 'app' } });
    expect(created.error).toBeUndefined();
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working', ttlMs: 60_000, pollIntervalMs: 10 });
    const handle = created.result!.taskId as string;
    // The handle names nothing readable: not the replica, not its own task id.
    expect(handle).not.toMatch(/builder|task-/);
    const owner = stores.a.tasks.size === 1 ? stores.a : stores.b;
    const other = owner === stores.a ? stores.b : stores.a;
    const upstreamId = [...owner.tasks.keys()][0]!;

    // Poll, alternating instances on every request, until the task asks for input.
    const urls = [two.http.url, one.http.url];
    let polled: Record<string, unknown> | undefined;
    for (let i = 0; i < 10 && polled?.status !== 'input_required'; i++) {
      const r = await rpc(urls[i % 2]!, 'tasks/get', { taskId: handle });
      expect(r.error, JSON.stringify(r.error)).toBeUndefined();
      polled = r.result;
      expect(polled!.taskId).toBe(handle);
    }
    expect(polled).toMatchObject({ status: 'input_required', inputRequests: { go: { method: 'elicitation/create', params: { message: expect.stringMatching(/^builder-[ab] asks: ship app\?$/) } } } });
    // The answer goes in through the other instance.
    const updated = await rpc(two.http.url, 'tasks/update', { taskId: handle, inputResponses: { go: { action: 'accept', content: { ok: true } } } });
    expect(updated.error).toBeUndefined();
    let done: Record<string, unknown> | undefined;
    for (let i = 0; i < 10 && done?.status !== 'completed'; i++) done = (await rpc(urls[(i + 1) % 2]!, 'tasks/get', { taskId: handle })).result;
    expect(done).toMatchObject({ status: 'completed', taskId: handle, result: { content: [{ type: 'text', text: expect.stringMatching(/^builder-[ab]: built app \(shipped\)$/) }] } });

    // Every task request reached the owner, with its own id; the other replica saw none.
    expect(owner.seen.every((s) => s.taskId === upstreamId)).toBe(true);
    expect(seenBy(owner, 'tasks/get')).toBeGreaterThanOrEqual(3);
    expect(seenBy(owner, 'tasks/update')).toBe(1);
    expect(other.seen).toEqual([]);
  });

  it('cancels a task through either instance', async () => {
    const created = await rpc(two.http.url, 'tools/call', { name: 'build', arguments: { what: 'docs' } });
    const handle = created.result!.taskId as string;
    expect((await rpc(one.http.url, 'tasks/cancel', { taskId: handle })).error).toBeUndefined();
    expect((await rpc(two.http.url, 'tasks/get', { taskId: handle })).result).toMatchObject({ status: 'cancelled', taskId: handle });
  });

  it('refuses an altered or unknown handle as an unknown task', async () => {
    const created = await rpc(one.http.url, 'tools/call', { name: 'build', arguments: { what: 'x' } });
    const handle = created.result!.taskId as string;
    const altered = handle.slice(0, 20) + (handle[20] === 'A' ? 'B' : 'A') + handle.slice(21);
    for (const taskId of [altered, 'builder-a-task-1']) {
      const r = await rpc(one.http.url, 'tasks/get', { taskId });
      expect(r.error).toMatchObject({ code: -32602, message: 'Unknown task' });
    }
  });

  it('gives clients that did not declare the extension the synchronous result: a 2026-07-28 one and a 2025 one', async () => {
    const modern = await rpc(one.http.url, 'tools/call', { name: 'build', arguments: { what: 'lib' } }, false);
    expect(modern.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: expect.stringMatching(/^builder-[ab]: built lib at once$/) }] });
    const legacy = new LegacyClient({ name: 'legacy', version: '1' });
    await legacy.connect(new LegacyHttpTransport(new URL(one.http.url)));
    try {
      expect(firstText(await legacy.callTool({ name: 'build', arguments: { what: 'cli' } }))).toMatch(/^builder-[ab]: built cli at once$/);
    } finally {
      await legacy.close();
    }
  });

  it('advertises the extension to 2026-07-28 clients', async () => {
    const discovered = await rpc(one.http.url, 'server/discover', {});
    expect((discovered.result as { capabilities: { extensions?: Record<string, unknown> } }).capabilities.extensions).toHaveProperty([TASKS]);
  });
});
