// MCP over a child process's stdin/stdout, with every line from the child bounded while it is read:
// a message over `maxMessageBytes` fails only the call it answers (the process and every other call
// go on), and stderr lines are cut to a few KB before they reach the log. Otherwise it behaves as
// the SDK's StdioClientTransport (same spawn, same close sequence: stdin end, SIGTERM, SIGKILL).
import { type ChildProcess } from 'node:child_process';
import spawn from 'cross-spawn';
import { batchThisTurn, encodeMessage, exceedsJsonDepth, isMessageShaped, tooDeepAnswer, tooDeepError, type JsonRpcId as RequestId, type JsonRpcMessage as JSONRPCMessage, type McpTransport, describeLinkEnd, failedAnswer, linkError, PendingRequests, type LinkEnd, type ReportsLinkEnd, type SwitchboardError } from '@switchboard/core';
import { LineReader, type OversizedLine } from './line-reader.js';

export interface StdioClientOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd?: string;
  readonly maxMessageBytes: number;
  /** Longest stderr line passed on whole; longer ones are cut (the process is never stopped for it). */
  readonly maxStderrLineBytes?: number;
  /** A stderr line; `cut` when it is the first bytes of a line over the limit (whose end is then dropped). */
  readonly onStderrLine: (line: string, cut: boolean) => void;
  /** An oversized stderr line has ended: how long it was. */
  readonly onStderrLineCut?: (bytes: number) => void;
  /** Told of each message refused for its size. */
  readonly onTooLarge: (error: SwitchboardError) => void;
}

export const DEFAULT_MAX_STDERR_LINE_BYTES = 8 * 1024;
const CLOSE_GRACE_MS = 2_000;

/** stderr lines kept for the failure message, and how much of each. */
const STDERR_TAIL_LINES = 5;
const STDERR_TAIL_LINE_CHARS = 300;

export class BoundedStdioClientTransport implements McpTransport, ReportsLinkEnd {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: McpTransport['onmessage'];
  private child: ChildProcess | undefined;
  private readonly stderrTail: string[] = [];
  /** Requests sent and not answered yet. */
  private readonly pending = new PendingRequests();
  private ended: LinkEnd | undefined;

  constructor(private readonly options: StdioClientOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    if (this.child) throw new Error('BoundedStdioClientTransport already started (Client.connect() starts it)');
    const { command, args, env, cwd } = this.options;
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...args], { env, stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: process.platform === 'win32', ...(cwd ? { cwd } : {}) });
      this.child = child;
      child.on('error', (error) => {
        // Before 'spawn' this is a start that failed (no such command, no permission): nothing ran.
        reject(linkError('connect', 'no', `cannot start ${command}: ${error.message}`, { cause: error }));
        this.onerror?.(error);
      });
      child.on('spawn', () => resolve());
      child.on('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
        this.child = undefined;
        this.ended = { exitCode, signal, stderrTail: [...this.stderrTail] };
        // Calls still out are answered with a typed failure that says how the process ended.
        if (this.pending.size > 0) {
          const gone = linkError('closed', 'maybe', `the process ended before it answered: ${describeLinkEnd(this.ended)}`);
          for (const answer of this.pending.failAll(gone)) this.onmessage?.(answer as JSONRPCMessage);
        }
        this.onclose?.();
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('error', (error) => this.onerror?.(error));
      const stdout = new LineReader({
        maxLineBytes: this.options.maxMessageBytes,
        onLine: (line) => this.onLine(line),
        onOversized: (line) => this.onOversized(line),
      });
      child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
      const stderrLimit = this.options.maxStderrLineBytes ?? DEFAULT_MAX_STDERR_LINE_BYTES;
      const stderr = new LineReader({
        maxLineBytes: stderrLimit,
        keepBytes: stderrLimit,
        onLine: (line) => {
          this.keepStderr(line);
          this.options.onStderrLine(line, false);
        },
        // Said as soon as it goes over: a line with no newline may never end.
        onOverflow: (head) => {
          this.keepStderr(head);
          this.options.onStderrLine(head, true);
        },
        onOversized: (line) => this.options.onStderrLineCut?.(line.size),
      });
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    });
  }

  /** How the process ended (exit code, signal, last stderr lines), once it has. */
  linkEnd(): LinkEnd | undefined {
    return this.ended;
  }

  private keepStderr(line: string): void {
    const text = line.trim();
    if (text === '') return;
    this.stderrTail.push(text.length > STDERR_TAIL_LINE_CHARS ? `${text.slice(0, STDERR_TAIL_LINE_CHARS)}…` : text);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
  }

  /** Bytes waiting in the stdin pipe past which a new message is refused (see send). */
  private get maxUnreadBytes(): number {
    return 4 * this.options.maxMessageBytes;
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin) {
        reject(linkError('closed', 'no', 'the process is not running; nothing was sent'));
        return;
      }
      // Encoded before it counts as sent: a message that cannot be encoded was never sent (it throws
      // the caller's error, and the executor turns that into this promise's rejection).
      const line = encodeMessage(message) + '\n';
      // A process that stopped reading its stdin (hung, or its loop blocked) would have every
      // request queued in this pipe's buffer until its call timed out, and the bytes kept after
      // that: the answer is "no answer in time", at once and never delivered, so the call fails over.
      const unread = stdin.writableLength;
      if (unread > this.maxUnreadBytes) {
        reject(
          linkError('timeout', 'no', `the process is not reading its stdin: ${unread} bytes sent to it wait unread (over 4 × maxMessageBytes, ${this.maxUnreadBytes}); nothing was sent`, {
            details: { unread, limit: this.maxUnreadBytes },
          }),
        );
        return;
      }
      this.pending.sent(message);
      // The messages of one turn leave in one write: a system call less per call under load (a profile of
      // HTTP→stdio put the pipe writes at 9% of the gateway's CPU).
      batchThisTurn(stdin);
      if (stdin.write(line)) resolve();
      else stdin.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const wait = (): Promise<void> => Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
    try {
      child.stdin?.end();
    } catch {
      // already gone
    }
    await wait();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await wait();
    }
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      const value: unknown = JSON.parse(line);
      if (exceedsJsonDepth(line)) {
        // Parsed, but nothing could pass it on: its call fails now instead of waiting for its timeout.
        const refused = tooDeepAnswer(value, 'the upstream');
        if (refused) this.deliver(refused);
        else this.onerror?.(tooDeepError('the upstream'));
        return;
      }
      // An object is handed on as read, as the HTTP transport does (see isMessageShaped).
      if (!isMessageShaped(value)) throw new SyntaxError(`the upstream wrote a line that is not a JSON-RPC message: ${line.slice(0, 200)}`);
      message = value;
    } catch (error) {
      this.onerror?.(error as Error);
      return;
    }
    this.deliver(message);
  }

  private deliver(message: JSONRPCMessage): void {
    this.pending.received(message);
    this.onmessage?.(message);
  }

  /** A line over the limit was dropped: fail the call it answered, when its id can be read. */
  private onOversized(line: OversizedLine): void {
    const error = linkError(
      'too-large',
      'maybe',
      `the upstream wrote a message of ${line.size} bytes, over maxMessageBytes (${this.options.maxMessageBytes}); raise the server entry's maxMessageBytes if this is expected`,
      { details: { limit: this.options.maxMessageBytes, size: line.size } },
    );
    this.options.onTooLarge(error);
    const id = answeredId(line);
    if (id === undefined) return;
    this.deliver(failedAnswer(id, error) as JSONRPCMessage);
  }
}

const ID_VALUE = String.raw`(-?\d+|"(?:[^"\\]|\\.)*")`;
/** A top-level id at the end of the message: `..."id":7}`. Nested ids are followed by more brackets. */
const TAIL_ID = new RegExp(String.raw`"id"\s*:\s*${ID_VALUE}\s*\}\s*$`);
/** A top-level id at the start: `{"jsonrpc":"2.0","id":7,...` or `{"id":7,...`. */
const HEAD_ID = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID_VALUE}`);

/** The id of a response whose body was dropped; undefined for a request or notification, or when unreadable. */
export function answeredId(line: OversizedLine): RequestId | undefined {
  if (/^\s*\{\s*"method"/.test(line.head) || /"method"\s*:/.test(line.head.slice(0, 64))) return undefined;
  const match = TAIL_ID.exec(line.tail) ?? HEAD_ID.exec(line.head);
  if (!match) return undefined;
  const raw = match[1]!;
  return raw.startsWith('"') ? (JSON.parse(raw) as string) : Number(raw);
}
