// The task driver's reading of tasks/get answers: what ends a call, what is asked of the client,
// and what is refused. (test/gateway-tasks-conformance.test.ts drives real tasks end to end.)
import { describe, expect, it, vi } from 'vitest';
import { ClientError } from '../src/downstream/client-error.js';
import { driveTask, HEARTBEAT_MS, needsTasksExtension, type TaskDriving } from '../src/downstream/task-driver.js';

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

describe('driveTask bounds', () => {
  it('cancels a task still working past the bound, and says so', async () => {
    const d = driving(Array.from({ length: 10 }, () => ({ status: 'working', pollIntervalMs: 50 })));
    const error = await driveTask(d, undefined, 120).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: -32603, data: { reason: 'task_too_long' } });
    expect(d.sent.at(-1)?.[0]).toBe('tasks/cancel');
    expect(d.sent.filter(([m]) => m === 'tasks/get').length).toBeLessThanOrEqual(3);
  });

  it('cancels the task when polling it fails, but not when the task itself ended', async () => {
    const broken: TaskDriving & { sent: Method[] } = {
      sent: [],
      signal: new AbortController().signal,
      seal: () => 's',
      request: async function (method) {
        this.sent.push(method);
        if (method === 'tasks/get') throw new Error('link down');
        return {};
      },
    };
    await expect(driveTask(broken)).rejects.toThrow('link down');
    expect(broken.sent).toEqual(['tasks/get', 'tasks/cancel']);
    const ended = driving([{ status: 'failed', error: { code: -32000, message: 'no' } }]);
    await expect(driveTask(ended)).rejects.toMatchObject({ code: -32000 });
    expect(ended.sent.map(([m]) => m)).toEqual(['tasks/get']);
  });

  it('polls no faster than every 50 ms, whatever the upstream suggests', async () => {
    vi.useFakeTimers();
    try {
      const d = driving([{ status: 'working', pollIntervalMs: 0 }, { status: 'completed', result: { content: [] } }]);
      const call = driveTask(d);
      await vi.advanceTimersByTimeAsync(49);
      expect(d.sent).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(d.sent).toHaveLength(2);
      expect(await call).toEqual({ content: [] });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('driveTask reports', () => {
  it('tells a working task apart when its statusMessage changes, and every HEARTBEAT_MS otherwise', async () => {
    vi.useFakeTimers();
    try {
      const polls = [
        ...Array.from({ length: 3 }, () => ({ status: 'working', statusMessage: 'a', pollIntervalMs: 1_000 })),
        { status: 'working', statusMessage: 'b', pollIntervalMs: 1_000 },
        ...Array.from({ length: 12 }, () => ({ status: 'working', statusMessage: 'b', pollIntervalMs: 1_000 })),
        { status: 'completed', result: { content: [] } },
      ];
      const d = driving(polls);
      const heard: Array<string | undefined> = [];
      const call = driveTask({ ...d, working: (message) => heard.push(message) });
      await vi.advanceTimersByTimeAsync(20_000);
      await call;
      // 'a' at once, 'b' when it changed (poll 4), then 'b' again after HEARTBEAT_MS (poll 14).
      expect(heard).toEqual(['a', 'b', 'b']);
      expect(HEARTBEAT_MS).toBe(10_000);
    } finally {
      vi.useRealTimers();
    }
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
