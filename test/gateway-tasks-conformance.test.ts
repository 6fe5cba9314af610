// The Tasks extension (io.modelcontextprotocol/tasks) through the gateway, scored by the MCP
// conformance suite's tasks-* scenarios, in front of a task server built on the official SDK v2
// (the suite scores that server alone with every check passing). Then the calls the extension
// leaves to -32021: a server that serves a tool only as a task, called by a 2025 client, which has
// no way to take one. The gateway takes the task and runs it for the client, so the call is
// answered as a synchronous tool would answer it.
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startTasksConformanceFixture, type TasksConformanceFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failures, runConformanceSuite, type Check } from './helpers/conformance-suite.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { modernRequest } from './helpers/modern-request.js';
import { waitFor } from './helpers/wait.js';

const SCENARIOS = [
  'tasks-lifecycle',
  'tasks-capability-negotiation',
  'tasks-wire-fields',
  'tasks-request-state-removal',
  'tasks-mrtr-input',
  'tasks-request-headers',
  'tasks-dispatch-and-envelope',
  'tasks-required-task-error',
  'tasks-mrtr-composition',
];

let upstream: TasksConformanceFixture;
let harness: GatewayHarness;

beforeAll(async () => {
  upstream = await startTasksConformanceFixture();
  harness = await startGateway([{ name: 'tasks', url: upstream.url }]);
}, 30_000);

afterAll(async () => {
  await harness?.close();
  await upstream?.close();
});

describe("the conformance suite's Tasks scenarios through the gateway", () => {
  it('passes every check of every tasks scenario', { timeout: 240_000 }, async () => {
    const all = new Map<string, Check[]>();
    for (const scenario of SCENARIOS) {
      const { results } = await runConformanceSuite(harness.http.url, ['--scenario', scenario]);
      for (const [name, checks] of results) all.set(name, checks);
    }
    expect([...all.keys()].sort()).toEqual([...SCENARIOS].sort());
    // Each scenario ran its checks (a scenario that could not start reports one failed check).
    expect([...all.values()].reduce((n, checks) => n + checks.length, 0)).toBeGreaterThanOrEqual(40);
    expect(failures(all)).toEqual([]);
    expect([...all.values()].flat().filter((c) => c.status !== 'SUCCESS')).toEqual([]);
  });
});

describe('tasks the gateway runs for 2025 clients', () => {
  it('the upstream alone refuses a client without the extension, and a 2026-07-28 one gets that -32021 through the gateway', async () => {
    const direct = await modernRequest(upstream.url, 'tools/call', { name: 'long_report', arguments: { seconds: 0.1 } });
    expect(direct.error?.code).toBe(-32021);
    // A 2026-07-28 client can declare the extension: it is told to, as the extension says.
    const modern = await modernRequest(harness.http.url, 'tools/call', { name: 'long_report', arguments: { seconds: 0.1 } });
    expect(modern.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } } });
  });

  it('never hands a task to a client that did not declare the extension, when an upstream sends one anyway: it runs it', async () => {
    const direct = await modernRequest(upstream.url, 'tools/call', { name: 'task_regardless', arguments: {} });
    expect(direct.result).toMatchObject({ resultType: 'task' });
    const modern = await modernRequest(harness.http.url, 'tools/call', { name: 'task_regardless', arguments: {} });
    expect(modern.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'done regardless' }] });
    const client = await harness.connect();
    try {
      expect(firstText(await client.callTool({ name: 'task_regardless', arguments: {} }))).toBe('done regardless');
    } finally {
      await client.close();
    }
    // A client that declared it gets the task, as from the upstream.
    const declared = await modernRequest(harness.http.url, 'tools/call', { name: 'task_regardless', arguments: {} }, { capabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } });
    expect(declared.result).toMatchObject({ resultType: 'task' });
  });

  it('answers a task-only tool with the task result; a tool error the task ended with is the call tool error', async () => {
    const client = await harness.connect();
    try {
      expect(firstText(await client.callTool({ name: 'long_report', arguments: { seconds: 0.3 } }))).toBe('report after 0.3s');
      const failing = await client.callTool({ name: 'failing_job', arguments: {} });
      expect(failing.isError).toBe(true);
      expect(firstText(failing)).toBe('failing_job: the job failed');
    } finally {
      await client.close();
    }
  });

  it('turns the question before the task and the one during it into elicitation requests, and the answers reach the task', async () => {
    const client = await harness.connect({ elicitation: {} });
    const asked: string[] = [];
    let approve = true;
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return request.params.message === 'What is your name?' ? { action: 'accept', content: { name: 'Alice' } } : { action: 'accept', content: { confirm: approve } };
    });
    try {
      expect(firstText(await client.callTool({ name: 'test_tool_with_task', arguments: {} }))).toBe('Hello, Alice, from a task');
      expect(firstText(await client.callTool({ name: 'approve_deploy', arguments: { env: 'prod' } }))).toBe('deployed to prod');
      approve = false;
      expect(firstText(await client.callTool({ name: 'approve_deploy', arguments: { env: 'stage' } }))).toBe('deploy to stage declined');
      expect(asked).toEqual(['What is your name?', 'Deploy to prod?', 'Deploy to stage?']);
    } finally {
      await client.close();
    }
  });

  it("reports a task's statusMessage as progress to a client that asked, which keeps its request timeout from running out", async () => {
    const client = await harness.connect();
    try {
      const heard: Array<{ progress: number; message?: string }> = [];
      // 3 s of work against a 1.5 s request timeout, restarted by each progress notification (every 0.5 s).
      const result = await client.callTool({ name: 'long_report', arguments: { seconds: 3, steps: 6 } }, undefined, { timeout: 1_500, resetTimeoutOnProgress: true, onprogress: (p) => heard.push(p) });
      expect(firstText(result)).toBe('report after 3s');
      expect(heard.map((p) => p.message)).toEqual(expect.arrayContaining(['step 0 of 6', 'step 1 of 6', 'step 2 of 6', 'step 3 of 6', 'step 4 of 6']));
      const values = heard.map((p) => p.progress);
      expect(values).toEqual([...values].sort((x, y) => x - y));
      expect(new Set(values).size).toBe(values.length);
      // Without asking for progress, the same call has only its timeout.
      await expect(client.callTool({ name: 'long_report', arguments: { seconds: 3, steps: 6 } }, undefined, { timeout: 1_500 })).rejects.toThrow(/timed out/i);
    } finally {
      await client.close();
    }
  });

  it('cancels the task upstream when the session ends: the client deleting it, or the gateway shutting down', async () => {
    const started = async (client: Awaited<ReturnType<GatewayHarness['connect']>>): Promise<{ task: string; call: Promise<unknown> }> => {
      const before = new Set(Object.keys(upstream.taskStatuses()));
      const call = client.callTool({ name: 'long_report', arguments: { seconds: 60 } }, undefined, { timeout: 120_000 }).catch((error: unknown) => error);
      const task = await waitFor(() => Object.entries(upstream.taskStatuses()).find(([id, status]) => !before.has(id) && status === 'working')?.[0], { what: 'the task upstream' });
      return { task, call };
    };
    const deleting = await harness.connect();
    const first = await started(deleting);
    await (deleting.transport as unknown as { terminateSession(): Promise<void> }).terminateSession();
    expect(await waitFor(() => upstream.taskStatuses()[first.task] === 'cancelled', { what: 'the task cancelled upstream' })).toBe(true);
    await deleting.close();
    await first.call;

    // A gateway of its own, shut down while the task runs (after a short drain).
    const own = await startGateway([{ name: 'tasks', url: upstream.url }], { http: { drainMs: 100 } });
    const client = await own.connect();
    const second = await started(client);
    await own.close();
    // The session is closed only once its task's cancel was sent: no waiting here.
    expect(upstream.taskStatuses()[second.task]).toBe('cancelled');
    expect(await second.call).toBeInstanceOf(Error);
    await client.close();
  });

  it('cancels the task upstream when the client cancels the call', async () => {
    const client = await harness.connect();
    try {
      const before = new Set(Object.keys(upstream.taskStatuses()));
      const controller = new AbortController();
      const call = client.callTool({ name: 'long_report', arguments: { seconds: 60 } }, undefined, { signal: controller.signal, timeout: 120_000 }).catch((error: unknown) => error);
      const started = await waitFor(() => Object.entries(upstream.taskStatuses()).find(([id, status]) => !before.has(id) && status === 'working')?.[0], { what: 'the task upstream' });
      controller.abort();
      expect(await call).toBeInstanceOf(Error);
      expect(await waitFor(() => upstream.taskStatuses()[started] === 'cancelled', { what: 'the task cancelled upstream' })).toBe(true);
    } finally {
      await client.close();
    }
  });
});
