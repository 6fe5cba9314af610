// stdio upstreams behind the gateway, with two client sessions over real Streamable HTTP:
// - isolation "per-session": a process per client session, capped per service, reaped when idle,
//   ended with the session;
// - shared (default): log messages and sampling requests, which name no request, reach the process's
//   only session (on its call in flight); once two sessions share the process they reach nobody,
//   not even under a late-message attack, and are counted; nothing goes to a client without the
//   capability;
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
  /** Two sessions that answer sampling with their own name, and the logs each receives. */
  async function twoSessions(h: GatewayHarness) {
    const sampledBy: string[] = [];
    const a = await h.connect({ sampling: {} });
    const b = await h.connect({ sampling: {} });
    for (const [name, c] of [['a', a], ['b', b]] as const) {
      c.setRequestHandler(CreateMessageRequestSchema, async () => {
        sampledBy.push(name);
        return { role: 'assistant', model: 'test', content: { type: 'text', text: `from ${name}` } };
      });
    }
    return { a, b, sampledBy, logsA: collectLogs(a), logsB: collectLogs(b) };
  }

  it("delivers log messages and sampling on the call of the process's only session", async () => {
    harness = await startGateway([probe()]);
    const { a, sampledBy, logsA } = await twoSessions(harness);
    await a.callTool({ name: 'log', arguments: { message: 'for a' } });
    await waitFor(() => logsA.length === 1, { what: 'the log on a' });
    expect(logsA).toEqual(['for a']);
    expect(firstText(await a.callTool({ name: 'ask' }))).toBe('sampled: from a');
    expect(sampledBy).toEqual(['a']);
  });

  it('sends nothing that names no request to any session once two sessions share the process', async () => {
    harness = await startGateway([probe()]);
    const { a, b, sampledBy, logsA, logsB } = await twoSessions(harness);
    expect(await pidOf(a)).toBe(await pidOf(b)); // one shared process, used by both
    await a.callTool({ name: 'log', arguments: { message: 'for a' } });
    await b.callTool({ name: 'log', arguments: { message: 'for b' } });
    expect(firstText(await b.callTool({ name: 'ask' }))).toMatch(/^sampling failed: .*refused by the gateway: several client sessions share this upstream connection/);
    // a holds a call open too: still neither session's to receive.
    let heldProgress!: () => void;
    const holding = new Promise<void>((resolve) => (heldProgress = resolve));
    const held = a.callTool({ name: 'hold' }, undefined, { onprogress: () => heldProgress() });
    await holding;
    expect(firstText(await b.callTool({ name: 'ask' }))).toMatch(/^sampling failed: .*refused by the gateway/);
    await b.callTool({ name: 'release' });
    expect(firstText(await held)).toBe('released');
    expect(logsA).toEqual([]);
    expect(logsB).toEqual([]);
    expect(sampledBy).toEqual([]);
    const metrics = await (await fetch(harness.http.url.replace('/mcp', '/metrics'))).text();
    expect(metrics).toContain('switchboard_gateway_unattributed_dropped_total{service="probe",kind="log"} 2');
    expect(metrics).toContain('switchboard_gateway_unattributed_dropped_total{service="probe",kind="request"} 2');
  });

  it("never hands session B a late log or sampling request from session A's finished call (the attack)", async () => {
    harness = await startGateway([probe()]);
    const { a, b, sampledBy, logsA, logsB } = await twoSessions(harness);
    // a's call is answered at once; 300 ms later the server logs and asks for sampling ...
    expect(firstText(await a.callTool({ name: 'late', arguments: { ms: 300 } }))).toBe('answered');
    // ... while b has a call in flight on the same process.
    let heldProgress!: () => void;
    const holding = new Promise<void>((resolve) => (heldProgress = resolve));
    const held = b.callTool({ name: 'hold' }, undefined, { onprogress: () => heldProgress() });
    await holding;
    const outcome = await waitFor(async () => {
      const text = firstText(await a.callTool({ name: 'late_outcome' }));
      return text === 'pending' ? undefined : text;
    }, { what: 'the late sampling request to be answered' });
    expect(outcome).toMatch(/^refused: .*refused by the gateway/);
    await a.callTool({ name: 'release' });
    expect(firstText(await held)).toBe('released');
    expect(logsB).toEqual([]);
    expect(logsA).toEqual([]);
    expect(sampledBy).toEqual([]);
  });

  it('never forwards a server-to-client request to a client that did not declare the capability', async () => {
    harness = await startGateway([probe()]);
    const asked: string[] = [];
    const c = await harness.connect({}); // no sampling capability
    c.fallbackRequestHandler = async (request) => {
      asked.push(request.method);
      return {};
    };
    expect(firstText(await c.callTool({ name: 'ask' }))).toMatch(/^sampling failed: .*the client did not declare the sampling capability/);
    expect(asked).toEqual([]);
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
