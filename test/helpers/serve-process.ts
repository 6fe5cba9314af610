// `switchboard serve --http 0` as a child process, for CLI tests: resolves with the URL it prints
// once listening. The caller owns the child (kill it in afterAll; `stopServe` for a clean stop).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const CLI_BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
}

export async function startServe(configFile: string, env: NodeJS.ProcessEnv = process.env, children?: ChildProcess[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI_BIN, 'serve', '-c', configFile, '--http', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  children?.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = (await waitFor(() => /listening on (\S+) /.exec(stderr)?.[1], { what: 'the listening line', timeoutMs: 20_000 })) as string;
  return { url, child, stderr: () => stderr };
}

/** SIGTERM, and the exit code. */
export async function stopServe(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  return exited;
}

/** Run the CLI once to its end: exit code and everything it printed. */
export function runCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
