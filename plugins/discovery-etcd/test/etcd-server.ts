// Spawns a real, single-member etcd on free loopback ports with its own temporary data dir, so each
// test file is self-contained and can kill and restart etcd (same dir, same ports) mid-test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';
const READY_TIMEOUT_MS = 15_000;

export interface EtcdServer {
  /** The client URL, for example `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  readonly dataDir: string;
  /** Kill -9 (a crash, not a graceful shutdown) and wait for the process to exit. */
  kill(): Promise<void>;
  /** Start again on the same data dir and ports; resolves once etcd reports healthy. */
  start(): Promise<void>;
  /** Kill and remove the data dir. */
  close(): Promise<void>;
}

export async function startEtcd(): Promise<EtcdServer> {
  if (!existsSync(ETCD_BIN)) {
    throw new Error(`etcd is not installed at ${ETCD_BIN}: run scripts/etcd.sh (as root) to install Debian's etcd-server`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'switchboard-test',
    '--data-dir', dataDir,
    '--listen-client-urls', clientUrl,
    '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `switchboard-test=${peerUrl}`,
    '--initial-cluster-state', 'new',
    '--logger', 'zap',
    '--log-level', 'error',
  ];

  let child: ChildProcess | undefined;
  let stderr = '';

  const start = async (): Promise<void> => {
    stderr = '';
    const proc = spawn(ETCD_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr?.on('data', (chunk: Buffer) => {
      // Keep only the tail: it is for the failure message if etcd does not come up.
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`etcd exited during start-up (${proc.exitCode ?? proc.signalCode}):\n${stderr}`);
      }
      if (await healthy(clientUrl)) return;
      await sleep(50);
    }
    await kill();
    throw new Error(`etcd did not become healthy on ${clientUrl} within ${READY_TIMEOUT_MS} ms:\n${stderr}`);
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await exited;
  };

  await start().catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });

  return {
    endpoint: clientUrl,
    dataDir,
    kill,
    start,
    async close() {
      await kill();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function healthy(clientUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { health?: string };
    return response.ok && body.health === 'true';
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
