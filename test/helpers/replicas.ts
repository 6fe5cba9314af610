// Fixture MCP servers as separate processes over Streamable HTTP, so a test can kill -9 one and
// restart it on the same port, and switch faults on through its control endpoint.
import { spawn, type ChildProcess } from 'node:child_process';
import { FIXTURE_BIN } from '@switchboard/testing/fixtures';

export type ReplicaFault = 'none' | 'hang' | 'garbage' | 'flaky';

export interface Replica {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  kill9(): Promise<void>;
  /** Start again on the same port (after kill9). */
  restart(): Promise<void>;
  fault(fault: ReplicaFault, latencyMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function launch(name: string, port: number, latencyMs: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [FIXTURE_BIN, '--name', name, '--tools', 'whoami,echo', '--latency', String(latencyMs), '--http', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`replica ${name} exited with ${code} before listening`)));
  });
  return { child, url };
}

export async function startReplica(name: string, latencyMs = 2): Promise<Replica> {
  let { child, url } = await launch(name, 0, latencyMs);
  const port = Number(new URL(url).port);
  const exited = (c: ChildProcess): Promise<void> =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((resolve) => c.once('exit', () => resolve()));
  return {
    name,
    url,
    port,
    get pid() {
      return child.pid;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async restart() {
      ({ child } = await launch(name, port, latencyMs));
    },
    async fault(fault, latency) {
      await fetch(new URL('/__control', url), { method: 'POST', body: JSON.stringify({ fault, ...(latency !== undefined ? { latencyMs: latency } : {}) }) });
    },
    async stop() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
