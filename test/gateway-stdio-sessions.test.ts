// stdio upstreams behind the gateway, with two client sessions over real Streamable HTTP:
// - isolation "per-session": a process per client session, capped per service, reaped when idle,
//   ended with the session;
// - shared (default): log messages and sampling requests reach the one session with a request in
//   flight, and are refused (never misrouted) when two sessions are in flight;
// - progress written in the same burst as the result all arrives before the result.
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, LoggingMessageNotificationSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

const PROBE = fileURLToPath(new URL('../packages/gateway/test/fixtures/stdio-probe.mjs', import.meta.url));
const probe = (metadata: Record<string, unknown> = {}) => ({ name: 'probe', transport: 'stdio', command: process.execPath, args: [PROBE], metadata });

let harness: GatewayHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const pidOf = async (c: Client): Promise<number> => Number(firstText(await c.callTool({ name: 'pid' })));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function endSession(c: Client): Promise<void> {
  await (c.transport as StreamableHTTPClientTransport).terminateSession();
  await c.close();
}

function collectLogs(c: Client): unknown[] {
  const logs: unknown[] = [];
  c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
  return logs;
}

describe('per-session stdio isolation', () => {
  it('gives each client session its own process and ends it with the session', async () => {
    harness = await startGateway([probe({ isolation: 'per-session' })]);
    const a = await harness.connect();
    const b = await harness.connect();
    const pidA = await pidOf(a);
    const pidB = await pidOf(b);
    expect(pidA).not.toBe(pidB);
    expect(pidA).not.toBe(process.pid);
    expect(await pidOf(a)).toBe(pidA); // the same process for the whole session
    await endSession(a);
    await waitFor(() => !alive(pidA), { what: "a's process to end" });
    expect(alive(pidB)).toBe(true);
    expect(await pidOf(b)).toBe(pidB);
  });

  it('caps processes per service with a clear JSON-RPC error, and frees the slot when a session ends', async () => {
    // The gateway option names the service (and wins over metadata).
    harness = await startGateway([probe()], { gateway: { isolation: { probe: 'per-session' }, maxProcessesPerService: 1 } });
    const a = await harness.connect();
    const b = await harness.connect();
    const pidA = await pidOf(a);
    const error = await b.callTool({ name: 'pid' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32005);
    expect((error as McpError).message).toMatch(/already runs 1 per-session processes \(maxProcessesPerService\)/);
    await endSession(a);
    await waitFor(() => !alive(pidA), { what: "a's process to end" });
    const pidB = await pidOf(b);
    expect(pidB).not.toBe(pidA);
  });

  it('ends an idle process and starts a fresh one on the next request', async () => {
    harness = await startGateway([probe({ isolation: 'per-session' })], { gateway: { processIdleMs: 100 } });
    const a = await harness.connect();
    const first = await pidOf(a);
    await waitFor(() => !alive(first), { what: 'the idle process to be reaped' });
    const second = await pidOf(a);
    expect(second).not.toBe(first);
    expect(alive(second)).toBe(true);
  });
});

describe('shared stdio upstream', () => {
  it('routes log messages and sampling to the only session in flight, and refuses sampling when two are', async () => {
    harness = await startGateway([probe()]);
    const sampledBy: string[] = [];
    const a = await harness.connect({ sampling: {} });
    const b = await harness.connect({ sampling: {} });
    for (const [name, c] of [['a', a], ['b', b]] as const) {
      c.setRequestHandler(CreateMessageRequestSchema, async () => {
        sampledBy.push(name);
        return { role: 'assistant', model: 'test', content: { type: 'text', text: `from ${name}` } };
      });
    }
    const logsA = collectLogs(a);
    const logsB = collectLogs(b);
    expect(await pidOf(a)).toBe(await pidOf(b)); // one shared process

    await a.callTool({ name: 'log', arguments: { message: 'for a' } });
    await waitFor(() => logsA.length === 1, { what: 'the log on a' });
    await b.callTool({ name: 'log', arguments: { message: 'for b' } });
    await waitFor(() => logsB.length === 1, { what: 'the log on b' });
    expect(logsA).toEqual(['for a']);
    expect(logsB).toEqual(['for b']);

    expect(firstText(await b.callTool({ name: 'ask' }))).toBe('sampled: from b');
    expect(sampledBy).toEqual(['b']);

    // a holds a call open on the shared process (its first progress proves it is there) ...
    let heldProgress!: () => void;
    const holding = new Promise<void>((resolve) => (heldProgress = resolve));
    const held = a.callTool({ name: 'hold' }, undefined, { onprogress: () => heldProgress() });
    await holding;
    // ... so a sampling request during b's call could be either session's: refused, answered by neither.
    expect(firstText(await b.callTool({ name: 'ask' }))).toMatch(/^sampling failed: .*refused by the gateway: 2 client sessions have requests in flight/);
    expect(sampledBy).toEqual(['b']);
    await b.callTool({ name: 'release' });
    expect(firstText(await held)).toBe('released');
  });

  it('delivers every progress notification written together with the result', async () => {
    harness = await startGateway([probe()]);
    const c = await harness.connect();
    for (let round = 0; round < 3; round++) {
      const progress: number[] = [];
      const result = await c.callTool({ name: 'burst', arguments: { steps: 5 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
      expect(firstText(result)).toBe('burst 5');
      expect(progress).toEqual([1, 2, 3, 4, 5]);
    }
  });
});
