// Task handles (the Tasks extension): the taskId a client gets for an upstream's task is the
// gateway's sealed envelope naming the replica that owns the task, the upstream's own taskId and
// the identity it was created for. Any instance holding the secret opens it, so tasks/get,
// tasks/update and tasks/cancel reach the owning replica from whichever instance the balancer
// picks, with no store; a handle that was altered, is for another identity, or has outlived its
// task is refused as an unknown task.
import { ProtocolErrorCode } from '../sdk/mcp.js';
import { ClientError } from './client-error.js';
import { RequestStateSealError, type RequestStateSeal } from './request-state.js';

/** The method name a sealed handle carries, so no other sealed state opens as one. */
const TASK = 'task';
/** A task with no ttl (unlimited) gets a handle this long-lived. */
const UNLIMITED_MS = 30 * 24 * 60 * 60_000;
/** A handle outlives its task's ttl a little: the owner decides when the task is gone, not the seal. */
const MARGIN_MS = 60 * 60_000;

export interface OwnedTask {
  readonly service: string;
  readonly taskId: string;
}

export class TaskHandles {
  constructor(private readonly seal: RequestStateSeal) {}

  /** The client's view of an upstream's task: the same, with its taskId sealed. */
  wrap(task: Record<string, unknown>, service: string, principal: string): Record<string, unknown> {
    const { _meta: _drop, content: _content, resultType: _type, ...fields } = task;
    const ttl = typeof task.ttlMs === 'number' ? task.ttlMs + MARGIN_MS : UNLIMITED_MS;
    const handle = this.seal.seal({ service, method: TASK, name: String(task.taskId), principal }, Date.now(), ttl);
    return { ...fields, taskId: handle };
  }

  open(handle: string, principal: string): OwnedTask {
    try {
      const state = this.seal.open(handle);
      if (state.method === TASK && state.principal === principal) return { service: state.service, taskId: state.name };
    } catch (error) {
      if (!(error instanceof RequestStateSealError)) throw error;
    }
    throw new ClientError(ProtocolErrorCode.InvalidParams, 'Unknown task', { reason: 'unknown_task' });
  }
}
