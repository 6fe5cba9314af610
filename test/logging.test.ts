// Structured logs: the router's routing events (service added/removed, failover, unhealthy) come out
// as JSON lines with time, level, msg and the service or plugin they concern. Real upstreams on
// loopback; the lines are captured through the logger's `write` option.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createRouter, type Router } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { corePlugins } from './helpers/plugins.js';

interface LogLine {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

let router: Router | undefined;
const fixtures: GatewayFixture[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await router?.close();
  router = undefined;
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A logger that keeps every line, and a parser that fails the test on a line that is not JSON. */
function capture(level: 'debug' | 'info'): { logger: ReturnType<typeof createLogger>; lines: () => LogLine[] } {
  const raw: string[] = [];
  return {
    logger: createLogger({ level, format: 'json', write: (line) => void raw.push(line) }),
    lines: () => raw.map((line) => JSON.parse(line) as LogLine),
  };
}

function find(lines: LogLine[], msg: string, fields: Record<string, unknown> = {}): LogLine | undefined {
  return lines.find((l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v));
}

describe('structured routing logs', () => {
  it('writes service added, failover and unhealthy as JSON lines with time, level, msg and service', async () => {
    const dead = await startGatewayFixture({ name: 'dead' });
    const live = await startGatewayFixture({ name: 'live' });
    fixtures.push(live);
    const { logger, lines } = capture('info');
    router = createRouter(
      {
        discovery: [{ type: 'static', servers: [{ name: 'dead', url: dead.url }, { name: 'live', url: live.url }] }],
        // A long interval: the round that marks `dead` down is the one this test runs itself.
        health: { type: 'ping', intervalMs: 600_000, timeoutMs: 2_000, unhealthyThreshold: 1 },
        failover: { retryableTools: ['whoami'] },
      },
      { plugins: corePlugins(), logger },
    );
    await router.initialize();
    await dead.close();
    const r = await router.routeRequest({ toolName: 'whoami' });
    expect(r.serviceUsed).toBe('live');
    await router.checkHealth();

    const all = lines();
    expect(all.length).toBeGreaterThan(0);
    for (const line of all) {
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
      expect(['info', 'warn', 'error']).toContain(line.level); // debug is below the level asked for
      expect(line.msg).toEqual(expect.any(String));
    }
    for (const name of ['dead', 'live']) {
      expect(find(all, 'service added', { service: name })).toMatchObject({ level: 'info', source: expect.any(String) });
    }
    const failover = find(all, 'failing over', { service: 'dead' });
    expect(failover).toMatchObject({ level: 'info', attempt: 1, error: expect.any(String) });
    expect(find(all, 'service is unhealthy', { service: 'dead' })).toMatchObject({ level: 'warn' });
    expect(find(all, 'service is unhealthy', { service: 'live' })).toBeUndefined();
  });

  it("tags a discoverer's warnings with the plugin, and logs a service removed from its source", async () => {
    const one = await startGatewayFixture({ name: 'one' });
    const two = await startGatewayFixture({ name: 'two' });
    fixtures.push(one, two);
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-logs-'));
    dirs.push(dir);
    const file = join(dir, 'servers.json');
    await writeFile(file, JSON.stringify({ mcpServers: { one: { url: one.url }, two: { url: two.url } } }));
    const { logger, lines } = capture('debug');
    router = createRouter(
      // `one` is both in config and in the file: the discoverer warns, through the router's sink.
      { discovery: [{ type: 'static', servers: [{ name: 'one', url: one.url }], file }], health: false, enableAutoRefresh: false },
      { plugins: corePlugins(), logger },
    );
    await router.initialize();
    expect(router.registry.size).toBe(2);

    const duplicate = lines().find((l) => l.level === 'warn' && l.msg.includes("server 'one'"));
    expect(duplicate?.plugin).toEqual(expect.stringContaining('static'));
    // A plugin's own logger (here at debug) carries the plugin's name as well.
    expect(lines().find((l) => l.msg === 'read servers file')).toMatchObject({ level: 'debug', plugin: expect.stringContaining('static'), count: 2 });

    await writeFile(file, JSON.stringify({ mcpServers: { one: { url: one.url } } }));
    await router.refreshDiscovery();
    expect(router.registry.size).toBe(1);
    expect(find(lines(), 'service removed', { service: 'two' })).toMatchObject({ level: 'info', time: expect.any(String) });
  });
});
