// Task results from 2026-07-28 upstreams (the Tasks extension, io.modelcontextprotocol/tasks). The
// SDK v2 (2.4) client refuses a `tools/call` result whose resultType is "task" (it knows only
// "complete" and "input_required"), though the extension allows it to any client that declared the
// extension, as the gateway's 2026-07-28 clients do. So on the router's upstream connections an
// incoming task result is carried to the gateway inside a complete result, under TASK_RESULT_KEY,
// and the gateway answers its client with the task (see downstream/task-handles.ts). Nothing else
// is touched. test/gateway-tasks.test.ts fails without this.
import type { Client, JSONRPCMessage, MessageExtraInfo } from '../sdk/mcp.js';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
const TASK_RESULT_KEY = 'io.switchboard/task-result';
const LIFTED = Symbol('switchboard.taskResultsLifted');

/** Carry "task" results through the SDK client of this connection (idempotent). */
export function liftTaskResults(client: Client): void {
  const transport = client.transport as (NonNullable<Client['transport']> & { [LIFTED]?: boolean }) | undefined;
  if (!transport || transport[LIFTED]) return;
  const deliver = transport.onmessage;
  if (!deliver) return;
  transport[LIFTED] = true;
  transport.onmessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
    const result = 'result' in message ? (message.result as Record<string, unknown> | undefined) : undefined;
    if (result?.resultType !== 'task') return deliver.call(transport, message, extra);
    const carried = { ...message, result: { resultType: 'complete', content: [], _meta: { [TASK_RESULT_KEY]: result } } } as JSONRPCMessage;
    return deliver.call(transport, carried, extra);
  };
}

/** The upstream's task, if this result carried one. */
export function carriedTask(result: unknown): Record<string, unknown> | undefined {
  const meta = (result as { _meta?: Record<string, unknown> } | null)?._meta;
  const task = meta?.[TASK_RESULT_KEY];
  return typeof task === 'object' && task !== null ? (task as Record<string, unknown>) : undefined;
}
