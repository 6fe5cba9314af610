import { describe, expect, it } from 'vitest';
import { RequestStateSeal } from '../src/downstream/request-state.js';
import { TaskHandles } from '../src/downstream/task-handles.js';

const SECRET = 'a task handle unit test secret of at least 32 chars';

describe('TaskHandles', () => {
  it('opens on any instance with the secret, for the identity it was made for only', () => {
    const here = new TaskHandles(new RequestStateSeal([SECRET]));
    const there = new TaskHandles(new RequestStateSeal([SECRET]));
    const task = { taskId: 'up-7', status: 'working', ttlMs: 1000, resultType: 'task', content: [], _meta: { x: 1 } };
    const wrapped = here.wrap(task, 'builder-a', 'oauth:idp#alice');
    expect(wrapped).toEqual({ taskId: expect.any(String), status: 'working', ttlMs: 1000 });
    expect(there.open(wrapped.taskId as string, 'oauth:idp#alice')).toEqual({ service: 'builder-a', taskId: 'up-7' });
    expect(() => there.open(wrapped.taskId as string, 'oauth:idp#bob')).toThrow('Unknown task');
    expect(() => new TaskHandles(new RequestStateSeal(['another secret of at least thirty-two chars!!'])).open(wrapped.taskId as string, 'oauth:idp#alice')).toThrow('Unknown task');
  });

  it('is not a requestState and a requestState is not a handle', () => {
    const seal = new RequestStateSeal([SECRET]);
    const handles = new TaskHandles(seal);
    const state = seal.seal({ service: 'builder-a', method: 'tools/call', name: 'build', principal: 'p' });
    expect(() => handles.open(state, 'p')).toThrow('Unknown task');
    const handle = handles.wrap({ taskId: 'up-1', ttlMs: null }, 'builder-a', 'p').taskId as string;
    expect(seal.open(handle).method).toBe('task');
  });
});
