// The task driver's reading of tasks/get answers: what ends a call, what is asked of the client,
// and what is refused. (test/gateway-tasks-conformance.test.ts drives real tasks end to end.)
import { describe, expect, it } from 'vitest';
import { ClientError } from '../src/downstream/client-error.js';
import { driveTask, needsTasksExtension, type TaskDriving } from '../src/downstream/task-driver.js';

type Method = Parameters<TaskDriving['request']>[0];

/** A driving whose tasks/get answers come from `answers`, one per poll; records every request. */
function driving(answers: Array<Record<string, unknown>>, signal = new AbortController().signal): TaskDriving & { sent: Array<[Method, unknown]> } {
  const sent: Array<[Method, unknown]> = [];
  return {
    sent,
    signal,
    seal: () => 'sealed-state',
    request: async (method, inputResponses) => {
      sent.push([method, inputResponses]);
      if (method !== 'tasks/get') return {};
      const next = answers.shift();
      if (!next) throw new Error('polled past the last answer');
      return next;
    },
  };
}

describe('driveTask', () => {
  it('polls a working task until it completes, and answers with its result', async () => {
    const d = driving([{ status: 'working', pollIntervalMs: 1 }, { status: 'working', pollIntervalMs: 1 }, { status: 'completed', result: { content: [{ type: 'text', text: 'done' }] } }]);
    expect(await driveTask(d)).toEqual({ content: [{ type: 'text', text: 'done' }] });
    expect(d.sent.map(([m]) => m)).toEqual(['tasks/get', 'tasks/get', 'tasks/get']);
  });

  it('delivers a retried round with tasks/update before polling', async () => {
    const d = driving([{ status: 'completed', result: { content: [] } }]);
    await driveTask(d, { approve: { action: 'accept' } });
    expect(d.sent).toEqual([
      ['tasks/update', { approve: { action: 'accept' } }],
      ['tasks/get', undefined],
    ]);
  });

  it("hands the task's questions to the client with the sealed state", async () => {
    const d = driving([{ status: 'input_required', inputRequests: { approve: { method: 'elicitation/create', params: { message: 'ok?' } } } }]);
    expect(await driveTask(d)).toEqual({ resultType: 'input_required', inputRequests: { approve: { method: 'elicitation/create', params: { message: 'ok?' } } }, requestState: 'sealed-state' });
  });

  it('keeps polling an input_required task that lists no question yet', async () => {
    const d = driving([{ status: 'input_required', inputRequests: {}, pollIntervalMs: 1 }, { status: 'completed', result: { content: [] } }]);
    expect(await driveTask(d)).toEqual({ content: [] });
  });

  it("fails the call with a failed task's JSON-RPC error, and on a cancelled or unknown status", async () => {
    const failed = await driveTask(driving([{ status: 'failed', error: { code: -32000, message: 'quota', data: { left: 0 } } }])).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ClientError);
    expect(failed).toMatchObject({ code: -32000, message: 'quota', data: { left: 0 } });
    await expect(driveTask(driving([{ status: 'cancelled' }]))).rejects.toMatchObject({ code: -32603, message: 'the upstream cancelled the task' });
    await expect(driveTask(driving([{ status: 'paused' }]))).rejects.toMatchObject({ code: -32603, message: 'the upstream reported the task as "paused"' });
    await expect(driveTask(driving([{ status: 'completed' }]))).rejects.toMatchObject({ code: -32603 });
  });

  it('cancels the task upstream when the client gives up while it works', async () => {
    const controller = new AbortController();
    const d = driving([{ status: 'working', pollIntervalMs: 5_000 }], controller.signal);
    const call = driveTask(d).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort(new Error('client cancelled'));
    expect(await call).toMatchObject({ message: 'client cancelled' });
    expect(d.sent.map(([m]) => m)).toEqual(['tasks/get', 'tasks/cancel']);
  });
});

describe('needsTasksExtension', () => {
  it('recognises -32021 naming the Tasks extension, and only that', () => {
    expect(needsTasksExtension({ code: -32021, data: { requiredCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } } })).toBe(true);
    expect(needsTasksExtension({ code: -32021, data: { requiredCapabilities: { sampling: {} } } })).toBe(false);
    expect(needsTasksExtension({ code: -32602, data: { requiredCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } } })).toBe(false);
    expect(needsTasksExtension(new Error('-32021 io.modelcontextprotocol/tasks'))).toBe(false);
    expect(needsTasksExtension(undefined)).toBe(false);
  });
});
