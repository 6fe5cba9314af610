// A task run on behalf of a client that cannot take tasks (the Tasks extension). An upstream that
// serves a call only as a task answers a client that did not declare io.modelcontextprotocol/tasks
// with -32021. A 2026-07-28 client can declare it and gets that error as it is; a 2025 client has no
// way to, so the gateway serves the call in its place: it asks again declaring the extension, polls
// the task to its end and answers with the task's result, as a synchronous tool would. A question
// the task asks on the way (input_required) goes back as an input_required answer, which the SDK
// turns into elicitation or sampling requests on the 2025 session; the answers, which come back
// with the sealed requestState naming the task, go to the task with tasks/update. The client
// cancelling the call cancels the task, and so does a task still working after MAX_DRIVE_MS. Nothing here knows the transport: the session gives it the
// requests.
import { ProtocolErrorCode, type CallToolResult } from '../sdk/mcp.js';
import { TASKS_EXTENSION } from '../upstream/task-results.js';
import { ClientError } from './client-error.js';

/** tasks/get's answer (DetailedTask), as far as driving it needs. */
interface DetailedTask {
  status?: unknown;
  statusMessage?: unknown;
  pollIntervalMs?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
  inputRequests?: unknown;
}

export interface TaskDriving {
  /** tasks/get, tasks/update or tasks/cancel on the task, at its owner. */
  request(method: 'tasks/get' | 'tasks/update' | 'tasks/cancel', inputResponses?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** The requestState that brings the client's answers back to this task. */
  seal(): string;
  /** Aborted when the client cancels the call or goes away. */
  readonly signal: AbortSignal;
  /**
   * Told while the task works: when its statusMessage changes, and every HEARTBEAT_MS otherwise.
   * The session turns it into progress notifications for a client that asked for progress, which
   * also keeps a client's request timeout from running out on a long task.
   */
  readonly working?: (statusMessage: string | undefined) => void;
}

/** Whether an upstream's error is -32021 naming the Tasks extension among what it requires. */
export function needsTasksExtension(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, data } = error as { code?: unknown; data?: { requiredCapabilities?: { extensions?: Record<string, unknown> } } };
  return code === ProtocolErrorCode.MissingRequiredClientCapability && data?.requiredCapabilities?.extensions?.[TASKS_EXTENSION] !== undefined;
}

/** Poll no faster than this, whatever the upstream suggests, and no slower than the longest. */
const MIN_POLL_MS = 50;
const MAX_POLL_MS = 5_000;
const DEFAULT_POLL_MS = 100;
/**
 * Longest the gateway drives one round of a task (from the call, or from a retried round) before it
 * gives up and cancels it: an upstream that keeps a task working forever must not keep the gateway
 * polling forever for a client that may be gone without a word (a 2025 session outlives its calls).
 */
export const MAX_DRIVE_MS = 60 * 60_000;
/** A task that works on without a new statusMessage is reported this often (see TaskDriving.working). */
export const HEARTBEAT_MS = 10_000;

/**
 * Drive the task to where the client must act: its result, its failure as the client's error, or
 * an input_required answer. `inputResponses` are a retried round's answers, delivered first.
 */
export async function driveTask(driving: TaskDriving, inputResponses?: Record<string, unknown>, maxDriveMs = MAX_DRIVE_MS): Promise<CallToolResult> {
  const { signal } = driving;
  const deadline = Date.now() + maxDriveMs;
  // Whether the task reached an end (or the client's turn): otherwise, on any failure, it is cancelled.
  let settled = false;
  let lastMessage: string | undefined;
  let lastReport = Date.now();
  try {
    if (inputResponses) await driving.request('tasks/update', inputResponses);
    for (;;) {
      const task = (await driving.request('tasks/get')) as DetailedTask;
      switch (task.status) {
        case 'completed':
          settled = true;
          if (typeof task.result !== 'object' || task.result === null) throw new ClientError(ProtocolErrorCode.InternalError, 'the upstream finished the task without a result');
          return task.result as CallToolResult;
        case 'failed': {
          settled = true;
          const error = task.error ?? {};
          throw new ClientError(typeof error.code === 'number' ? error.code : ProtocolErrorCode.InternalError, typeof error.message === 'string' ? error.message : 'the task failed upstream', error.data);
        }
        case 'cancelled':
          settled = true;
          throw new ClientError(ProtocolErrorCode.InternalError, 'the upstream cancelled the task');
        case 'input_required':
          if (typeof task.inputRequests === 'object' && task.inputRequests !== null && Object.keys(task.inputRequests).length > 0) {
            settled = true;
            return { resultType: 'input_required', inputRequests: task.inputRequests, requestState: driving.seal() } as unknown as CallToolResult;
          }
          break; // nothing to answer yet: poll again
        case 'working': {
          const message = typeof task.statusMessage === 'string' ? task.statusMessage : undefined;
          if (driving.working && (message !== lastMessage || Date.now() - lastReport >= HEARTBEAT_MS)) {
            lastMessage = message;
            lastReport = Date.now();
            driving.working(message);
          }
          break;
        }
        default:
          throw new ClientError(ProtocolErrorCode.InternalError, `the upstream reported the task as ${JSON.stringify(task.status)}`);
      }
      const delay = pollDelay(task.pollIntervalMs);
      if (Date.now() + delay > deadline) throw new ClientError(ProtocolErrorCode.InternalError, `the task did not end within ${Math.round(maxDriveMs / 1000)} s; the gateway cancelled it`, { reason: 'task_too_long' });
      await pause(delay, signal);
    }
  } catch (error) {
    // The client gave up, the task outran the bound, or its owner stopped answering: the upstream
    // need not go on working for nobody. (Best effort: an owner that is gone cannot be told.)
    // Awaited, so the session closing can wait for it before its upstreams go.
    if (!settled) await driving.request('tasks/cancel').catch(() => undefined);
    throw error;
  }
}

function pollDelay(suggested: unknown): number {
  if (typeof suggested !== 'number' || !Number.isFinite(suggested)) return DEFAULT_POLL_MS;
  return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, suggested));
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    };
    const abort = (): void => {
      done();
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal.addEventListener('abort', abort, { once: true });
  });
}
