// Hardening: a replica that accepts and never answers must not stall traffic. Real replicas
// (separate processes over Streamable HTTP); one is switched to 'hang'. Read-only calls are hedged
// to another replica after the operation's usual latency and the hung one is ejected after a few
// lost races; without hedging a per-attempt timeout derived from observed latency moves the call on
// long before the 30 s call timeout; after a breaker opens, exactly one trial call tests the
// service while every other call goes elsewhere at once.
import { createRouter, definePlugin, type Candidate, type Router } from '@switchboard/core';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { corePlugins } from './helpers/plugins.js';
import { startReplica, type Replica } from './helpers/replicas.js';
import { waitFor } from './helpers/wait.js';

let replicas: Replica[] = [];
let router: Router | undefined;

afterEach(async () => {
  await router?.close();
  router = undefined;
  await Promise.all(replicas.map((r) => r.stop()));
  replicas = [];
});

async function setup(strategy: string, failover: Record<string, unknown>): Promise<Router> {
  replicas = await Promise.all(['h1', 'h2', 'h3'].map((n) => startReplica(n, 1)));
  router = createRouter(
    {
      discovery: [{ type: 'static', servers: replicas.map((r) => ({ name: r.name, url: r.url })) }],
      strategy: { type: strategy },
      health: false, // only the call path may find the hung replica here
      failover,
      logLevel: 'silent',
    },
    { plugins: corePlugins() },
  );
  await router.initialize();
  return router;
}

async function warmUp(r: Router, calls = 40): Promise<void> {
  for (let i = 0; i < calls; i++) expect((await r.routeRequest({ toolName: 'whoami' })).success).toBe(true);
}

describe('a hung replica', () => {
  it('is hedged around and ejected: every call succeeds, none waits for the 30 s timeout', async () => {
    const r = await setup('round-robin', {});
    await warmUp(r);
    await replicas[1]!.fault('hang');
    const results = await Promise.all(Array.from({ length: 8 }, async () => {
      const out = [];
      for (let i = 0; i < 10; i++) out.push(await r.routeRequest({ toolName: 'whoami' }));
      return out;
    }));
    const all = results.flat();
    expect(all.filter((x) => !x.success)).toEqual([]);
    expect(all.every((x) => x.serviceUsed !== 'h2')).toBe(true);
    expect(r.getPerformanceReport().totalHedges).toBeGreaterThan(0);
    // Its lost races (or, on a loaded machine, its per-attempt timeouts) eject it.
    await waitFor(() => r.registry.get('h2')!.breaker === 'open', { what: 'h2 ejected' });
    // One status, consistent with the breaker (it used to say healthy: false beside status 'healthy').
    expect((await r.getServiceHealth()).h2).toMatchObject({ healthy: false, status: 'ejected', breakerState: 'open', healthCheck: 'healthy' });
  });

  it('takes no new calls once a couple of its calls are beaten by hedges, long before its ejection (first-match: all traffic)', async () => {
    // first-match sends every call to h1. Before, it kept doing so until h1's lost races were judged
    // and it was ejected (100-400 ms under load): more calls than the hedge budget could rescue, so the
    // rest waited out their attempt timeout (1 s).
    const r = await setup('first-match', {});
    await warmUp(r);
    await replicas[0]!.fault('hang');
    const before = r.registry.get('h1')!.stats.total;
    const results = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const out = [];
        for (let i = 0; i < 15; i++) out.push(await r.routeRequest({ toolName: 'whoami' }));
        return out;
      }),
    );
    const all = results.flat();
    expect(all.filter((x) => !x.success)).toEqual([]);
    // No call waited out an attempt timeout on h1: each one that went there was hedged.
    expect(all.flatMap((x) => x.attempts ?? []).filter((a) => a.errorCode === 'TIMEOUT')).toEqual([]);
    // The calls in flight when it hung, and the few that went before two of them were beaten; not
    // the dozens sent until its ejection.
    expect(r.registry.get('h1')!.stats.total - before).toBeLessThanOrEqual(16);
  });

  it('without hedging, fails a read-only call over after a per-attempt timeout from its observed latency', async () => {
    const r = await setup('round-robin', { hedging: { enabled: false }, attemptTimeout: { multiplier: 10, minMs: 300 } });
    await warmUp(r);
    await replicas[1]!.fault('hang');
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await r.routeRequest({ toolName: 'whoami' }));
    expect(results.every((x) => x.success)).toBe(true);
    const movedOn = results.filter((x) => x.failoverAttempts > 0);
    expect(movedOn.length).toBeGreaterThan(0);
    for (const x of movedOn) expect(x.attempts?.[0]).toMatchObject({ service: 'h2', errorCode: 'TIMEOUT' });
    // The attempt's own timeout, in whole milliseconds: at least minMs, far below the 30 s call timeout
    // (10 × p99 of the warm-up, which a loaded machine can put above minMs).
    const ms = Number(/did not answer within (\d+) ms/.exec(movedOn[0]!.attempts?.[0]?.error ?? '')?.[1]);
    expect(ms).toBeGreaterThanOrEqual(300);
    expect(ms).toBeLessThan(5_000);
  });

  it('after its breaker opens, admits exactly one trial call and sends every other call elsewhere at once', async () => {
    const r = await setup('first-match', {
      hedging: { enabled: false },
      attemptTimeout: { multiplier: 10, minMs: 400 },
      breaker: { consecutiveFailures: 1, halfOpenAfterMs: 200 },
      outlier: { failurePercent: 0 },
    });
    await warmUp(r);
    await replicas[0]!.fault('hang');
    // One timeout opens h1's breaker; the call moves on to h2.
    expect(await r.routeRequest({ toolName: 'whoami' })).toMatchObject({ success: true, serviceUsed: 'h2' });
    expect(r.registry.get('h1')!.breaker).toBe('open');
    await waitFor(() => r.registry.get('h1')!.routable(performance.now()), { what: 'h1 past its open time' });
    // Eight calls at once: the first-match strategy prefers h1 for all of them.
    const order: string[] = [];
    const calls = Array.from({ length: 8 }, () => r.routeRequest({ toolName: 'whoami' }).then((x) => (order.push(x.attempts?.[0]?.service === 'h1' ? 'trial' : `${x.serviceUsed}`), x)));
    const results = await Promise.all(calls);
    expect(results.every((x) => x.success)).toBe(true);
    const tried = results.filter((x) => x.attempts?.some((a) => a.service === 'h1'));
    expect(tried).toHaveLength(1); // one trial, which timed out and moved on
    // The seven others did not wait for the trial: they all finished before it.
    expect(order.indexOf('trial')).toBe(7);
    expect(r.registry.get('h1')!.breaker).toBe('open');
  });
});

describe('hedging', () => {
  it('leaves the strategy alone: one select() per call, so a rotation is not skewed by hedges', async () => {
    replicas = await Promise.all(['h1', 'h2'].map((n) => startReplica(n, 1)));
    let selects = 0;
    let turn = 0;
    // A stateful strategy (a rotation, as round-robin keeps): a hedge that asked it too would shift it.
    const counting = definePlugin({
      name: 'strategy-counting',
      kind: 'strategy',
      type: 'counting',
      core: '^0.1.0',
      optionsSchema: z.strictObject({}),
      register(ctx) {
        ctx.provide({ name: 'counting', select: (list: readonly Candidate[]) => (selects++, list[turn++ % list.length]) });
      },
    });
    router = createRouter(
      {
        discovery: [{ type: 'static', servers: replicas.map((r) => ({ name: r.name, url: r.url })) }],
        strategy: { type: 'counting' },
        health: false,
        failover: { hedging: { minDelayMs: 0, budgetPercent: 100, budgetMinPerSecond: 1000 } },
        logLevel: 'silent',
      },
      { plugins: [...corePlugins(), counting] },
    );
    await router.initialize();
    await warmUp(router);
    await replicas[1]!.fault('none', 50); // h2 answers slowly: calls that start there are hedged to h1
    const before = selects;
    for (let i = 0; i < 20; i++) expect((await router.routeRequest({ toolName: 'whoami' })).success).toBe(true);
    expect(router.getPerformanceReport().totalHedges).toBeGreaterThan(0);
    expect(selects - before).toBe(20);
  });
});
