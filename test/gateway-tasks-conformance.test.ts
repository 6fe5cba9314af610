// The Tasks extension (io.modelcontextprotocol/tasks) through the gateway, scored by the MCP
// conformance suite's tasks-* scenarios, in front of a task server built on the official SDK v2
// (the suite scores that server alone with every check passing).
import { startTasksConformanceFixture, type TasksConformanceFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failures, runConformanceSuite, type Check } from './helpers/conformance-suite.js';
import { startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

const SCENARIOS = [
  'tasks-lifecycle',
  'tasks-capability-negotiation',
  'tasks-wire-fields',
  'tasks-request-state-removal',
  'tasks-mrtr-input',
  'tasks-request-headers',
  'tasks-dispatch-and-envelope',
  'tasks-required-task-error',
  'tasks-mrtr-composition',
];

let upstream: TasksConformanceFixture;
let harness: GatewayHarness;

beforeAll(async () => {
  upstream = await startTasksConformanceFixture();
  harness = await startGateway([{ name: 'tasks', url: upstream.url }]);
}, 30_000);

afterAll(async () => {
  await harness?.close();
  await upstream?.close();
});

describe("the conformance suite's Tasks scenarios through the gateway", () => {
  it('passes every check of every tasks scenario', { timeout: 240_000 }, async () => {
    const all = new Map<string, Check[]>();
    for (const scenario of SCENARIOS) {
      const { results } = await runConformanceSuite(harness.http.url, ['--scenario', scenario]);
      for (const [name, checks] of results) all.set(name, checks);
    }
    expect([...all.keys()].sort()).toEqual([...SCENARIOS].sort());
    // Each scenario ran its checks (a scenario that could not start reports one failed check).
    expect([...all.values()].reduce((n, checks) => n + checks.length, 0)).toBeGreaterThanOrEqual(40);
    expect(failures(all)).toEqual([]);
    expect([...all.values()].flat().filter((c) => c.status !== 'SUCCESS')).toEqual([]);
  });
});
