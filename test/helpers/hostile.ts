// Starts test/fixtures/hostile-upstream.mjs as a real child process (HTTP on loopback), and builds
// the server entry for its stdio form; closes the processes after the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger } from '@switchboard/core';

export const HOSTILE_UPSTREAM = fileURLToPath(new URL('../fixtures/hostile-upstream.mjs', import.meta.url));

export interface HostileHttp {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHostileHttp(flags: readonly string[] = []): Promise<HostileHttp> {
  const child: ChildProcess = spawn(process.execPath, [HOSTILE_UPSTREAM, 'http', ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`hostile upstream exited with ${code}`)));
    child.stdout!.setEncoding('utf8');
    child.stdout!.once('data', (line: string) => resolve(line.trim()));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function hostileStdioEntry(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, transport: 'stdio', command: process.execPath, args: [HOSTILE_UPSTREAM, 'stdio'], ...extra };
}

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A JSON logger that keeps every line at `level` and above. */
export function captureLogs(level: 'debug' | 'info' | 'warn' = 'warn'): { logger: Logger; lines: () => LogLine[] } {
  const raw: string[] = [];
  return {
    logger: createLogger({ level, format: 'json', write: (line) => void raw.push(line) }),
    lines: () => raw.map((line) => JSON.parse(line) as LogLine),
  };
}
