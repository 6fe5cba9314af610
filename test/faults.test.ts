// Fault injection: three replicas (separate processes) behind the gateway, a stock MCP client
// calling a read-only tool continuously, and one fault at a time. For each: no call fails for the
// client, the faulty replica is detected and taken out within a stated time, traffic returns after
// it recovers, and nothing is left running.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createRouter, type Router } from '@switchboard/core';
import { createGateway, serveHttp, type HttpGateway } from '@switchboard/gateway';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { corePlugins } from './helpers/plugins.js';
import { startReplica, type Replica } from './helpers/replicas.js';
import { waitFor } from './helpers/wait.js';

/** How long a fault may go undetected (generous: CI machines are shared). */
const DETECT_WITHIN_MS = 5_000;

let replicas: Replica[];
let router: Router;
let gateway: ReturnType<typeof createGateway>;
let http: HttpGateway;
let client: Client;

class Load {
  readonly answeredBy: string[] = [];
  readonly failures: string[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(concurrency: number) {
    this.loops = Array.from({ length: concurrency }, () => this.loop());
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        const r = await client.callTool({ name: 'whoami' });
        const text = (r.content as Array<{ text?: string }>)[0]?.text ?? '';
        if (r.isError) this.failures.push(`tool error: ${text}`);
        else this.answeredBy.push(text);
      } catch (error) {
        this.failures.push((error as Error).message);
      }
      // Yield to timers: a call that fails at once must not starve the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Calls answered by `name` from index `from` on. */
  countFrom(from: number, name: string): number {
    return this.answeredBy.slice(from).filter((n) => n === name).length;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

async function out(name: string): Promise<boolean> {
  const h = (await router.getServiceHealth())[name]!;
  return !h.healthy;
}

beforeEach(async () => {
  replicas = await Promise.all(['r1', 'r2', 'r3'].map((n) => startReplica(n)));
  router = createRouter(
    {
      discovery: [{ type: 'static', servers: replicas.map((r) => ({ name: r.name, url: r.url, replicaGroup: 'replicas' })) }],
      strategy: { type: 'latency' },
      failover: { maxAttempts: 2, timeoutMs: 400, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 300, maxHalfOpenAfterMs: 2_000 } },
      health: { type: 'ping', intervalMs: 150, timeoutMs: 300, unhealthyThreshold: 2, healthyThreshold: 1 },
      logLevel: 'silent',
    },
    // A hung server holds a connect until this timeout; recovery is seen no sooner than that.
    { plugins: corePlugins(), connectTimeoutMs: 500 },
  );
  await router.initialize();
  gateway = createGateway({ router });
  await gateway.ready();
  http = await serveHttp(gateway, { port: 0 });
  client = new Client({ name: 'fault-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
});

afterEach(async () => {
  await client.close();
  await http.close();
  await gateway.close();
  await router.close();
  await Promise.all(replicas.map((r) => r.stop()));
  for (const r of replicas) expect(() => process.kill(r.pid!, 0)).toThrow(); // no replica process left
});

describe('fault injection behind the gateway', () => {
  it('kill -9 of a replica: no failed call, detected, and traffic returns after a restart', async () => {
    const load = new Load(4);
    await waitFor(() => load.answeredBy.length > 30, { what: 'warm-up traffic' });
    await replicas[0]!.kill9();
    await waitFor(() => out('r1'), { what: 'r1 detected down', timeoutMs: DETECT_WITHIN_MS });
    const afterDetection = load.answeredBy.length;
    await waitFor(() => load.answeredBy.length > afterDetection + 40, { what: 'traffic without r1' });
    expect(load.countFrom(afterDetection + 10, 'r1')).toBe(0);
    await replicas[0]!.restart();
    await waitFor(async () => !(await out('r1')), { what: 'r1 healthy again', timeoutMs: DETECT_WITHIN_MS });
    const afterRecovery = load.answeredBy.length;
    await waitFor(() => load.countFrom(afterRecovery, 'r1') > 3, { what: 'traffic back on r1', timeoutMs: DETECT_WITHIN_MS });
    await load.stop();
    expect(load.failures).toEqual([]);
  });

  it('a replica that hangs (accepts, never answers): no failed call, ejected, back after it recovers', async () => {
    const load = new Load(4);
    await waitFor(() => load.answeredBy.length > 30, { what: 'warm-up traffic' });
    await replicas[1]!.fault('hang');
    await waitFor(() => out('r2'), { what: 'r2 detected hanging', timeoutMs: DETECT_WITHIN_MS });
    await replicas[1]!.fault('none');
    await waitFor(async () => !(await out('r2')), { what: 'r2 healthy again', timeoutMs: DETECT_WITHIN_MS });
    const afterRecovery = load.answeredBy.length;
    await waitFor(() => load.countFrom(afterRecovery, 'r2') > 3, { what: 'traffic back on r2', timeoutMs: DETECT_WITHIN_MS });
    await load.stop();
    expect(load.failures).toEqual([]);
  });

  it('a replica 10x slower than the others gets a small share of the traffic', async () => {
    await replicas[2]!.fault('none', 40); // the others answer in ~2 ms plus the gateway hop
    const load = new Load(4);
    await waitFor(() => load.answeredBy.length > 400, { what: 'traffic', timeoutMs: 20_000 });
    await load.stop();
    const share = load.countFrom(100, 'r3') / (load.answeredBy.length - 100);
    expect(share).toBeLessThan(0.15); // round-robin would give it a third
    expect(load.failures).toEqual([]);
  });

  it('a replica answering garbage (not JSON-RPC): no failed call, ejected, back after it recovers', async () => {
    const load = new Load(4);
    await waitFor(() => load.answeredBy.length > 30, { what: 'warm-up traffic' });
    await replicas[0]!.fault('garbage');
    await waitFor(() => out('r1'), { what: 'r1 detected answering garbage', timeoutMs: DETECT_WITHIN_MS });
    await replicas[0]!.fault('none');
    const afterFix = load.answeredBy.length;
    await waitFor(() => load.countFrom(afterFix, 'r1') > 3, { what: 'traffic back on r1', timeoutMs: DETECT_WITHIN_MS });
    await load.stop();
    expect(load.failures).toEqual([]);
  });

  it('a replica failing half its requests: no failed call, and it is ejected', async () => {
    const load = new Load(4);
    await waitFor(() => load.answeredBy.length > 30, { what: 'warm-up traffic' });
    await replicas[1]!.fault('flaky');
    await waitFor(async () => (await router.getServiceHealth()).r2!.ejections > 0 || (await out('r2')), {
      what: 'r2 ejected for failing',
      timeoutMs: DETECT_WITHIN_MS,
    });
    await replicas[1]!.fault('none');
    await load.stop();
    expect(load.failures).toEqual([]);
  });
});
