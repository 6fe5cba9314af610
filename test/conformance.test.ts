// The MCP conformance suite (@modelcontextprotocol/conformance, a real peer test written by the
// protocol's maintainers) run against Switchboard's gateway, with a conforming server behind it:
// what the suite scores is what the gateway makes of that server. At revision 2025-11-25 every
// required scenario must pass, in front of a stdio upstream and a Streamable HTTP one.
import { conformanceFixtureEntry, startHttpFixture, startModernConformanceFixture, type HttpFixture, type ModernConformanceFixture } from '@switchboard/testing/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { failures, runConformanceSuite, type Check } from './helpers/conformance-suite.js';
import { startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

/** The scenarios the suite ran but says do not count for the revision (extensions, pending ones), from its report. */
const unscored = new Map<string, Set<string>>();

/** Run the suite's server scenarios required by `revision`; every check of every scenario, by scenario. */
async function conformance(url: string, revision: string): Promise<Map<string, Check[]>> {
  const { results, stdout } = await runConformanceSuite(url, ['--requirements', revision]);
  const notScored = stdout.split(/Not scored for [^:]*:/)[1] ?? '';
  unscored.set(url, new Set([...notScored.matchAll(/[✗✓] ([a-z0-9-]+) \(/g)].map((m) => m[1]!)));
  return results;
}

/** Failures of the scenarios that count for the revision. */
function scoredFailures(url: string, results: Map<string, Check[]>): string[] {
  const skip = unscored.get(url) ?? new Set<string>();
  return failures(results).filter((f) => !skip.has(f.split('/')[0]!));
}

let harness: GatewayHarness | undefined;
let upstream: HttpFixture | undefined;
afterEach(async () => {
  await harness?.close();
  await upstream?.close();
  harness = upstream = undefined;
});

describe('MCP conformance suite through the gateway (2025-11-25)', () => {
  it('passes every required scenario in front of a stdio server (a process per client session)', { timeout: 300_000 }, async () => {
    // Per-session isolation: a shared stdio process cannot tell whose call a log message or a
    // sampling request belongs to once two sessions use it (docs/gateway.md), and the suite opens
    // a session per scenario.
    harness = await startGateway([conformanceFixtureEntry('conformance')], { gateway: { isolation: { conformance: 'per-session' } } });
    const results = await conformance(harness.http.url, '2025-11-25');
    expect(results.size).toBeGreaterThanOrEqual(30);
    for (const scenario of ['server-initialize', 'tools-call-sampling', 'tools-call-elicitation', 'tools-call-with-logging', 'tools-call-with-progress', 'resources-subscribe', 'completion-complete']) {
      expect(results.has(scenario), `${scenario} ran`).toBe(true);
    }
    expect(failures(results)).toEqual([]);
  });

  it('passes every required scenario in front of a Streamable HTTP server', { timeout: 300_000 }, async () => {
    upstream = await startHttpFixture({ name: 'conformance', conformance: true });
    harness = await startGateway([{ name: 'conformance', url: upstream.url }]);
    const results = await conformance(harness.http.url, '2025-11-25');
    expect(results.size).toBeGreaterThanOrEqual(30);
    expect(failures(results)).toEqual([]);
  });

  it('in front of one shared stdio process, fails exactly the scenarios whose messages cannot be attributed', { timeout: 300_000 }, async () => {
    // The baseline of a known limit, not a goal: in the 2025 protocol a log message or a
    // server-to-client request from a stdio server names no request, so once two client sessions
    // share the process the gateway drops them rather than risk handing them to the wrong session.
    harness = await startGateway([conformanceFixtureEntry('conformance')]);
    const results = await conformance(harness.http.url, '2025-11-25');
    const failed = [...new Set(failures(results).map((f) => f.split('/')[0]))].sort();
    expect(failed).toEqual(['elicitation-sep1034-defaults', 'elicitation-sep1330-enums', 'tools-call-elicitation', 'tools-call-sampling', 'tools-call-with-logging']);
    // The refusal reaches the client saying why, once: the upstream relays the gateway's error and
    // the gateway relays the upstream's, and "MCP error -32600: " used to pile up at each hop.
    const sampling = failures(results).find((f) => f.startsWith('tools-call-sampling/'))!;
    expect(sampling).toMatch(/refused by the gateway: several client sessions share this upstream connection/);
    expect(sampling.match(/MCP error/g)).toHaveLength(1);
  });
});

describe('MCP conformance suite through the gateway (2026-07-28)', () => {
  let modern: ModernConformanceFixture | undefined;
  afterEach(async () => {
    await modern?.close();
    modern = undefined;
  });

  it('passes every scored scenario, in front of a 2025 stdio server and a modern-only 2026-07-28 server', { timeout: 300_000 }, async () => {
    // The 2025 tools come from the SDK v1 server over stdio; the 2026-07-28 diagnostics (input_required
    // flows with their own requestState, listen triggers, capability checks) from the SDK v2 server
    // over HTTP. The suite speaks only 2026-07-28 to the gateway.
    modern = await startModernConformanceFixture();
    harness = await startGateway([conformanceFixtureEntry('conformance'), { name: 'modern', url: modern.url }], { gateway: { isolation: { conformance: 'per-session' } } });
    const results = await conformance(harness.http.url, '2026-07-28');
    for (const scenario of ['server-stateless', 'caching', 'tools-call-with-progress', 'sep-2164-resource-not-found', 'input-required-result-multi-round', 'input-required-result-tampered-state', 'input-required-result-capability-check', 'input-required-result-non-tool-request']) {
      expect(results.has(scenario), `${scenario} ran`).toBe(true);
    }
    // The Tasks extension and the pending scenarios run but do not count (the bridging issue brings Tasks).
    expect([...(unscored.get(harness.http.url) ?? [])].every((s) => s.startsWith('tasks-') || s.startsWith('http-') || s.startsWith('json-schema'))).toBe(true);
    expect(scoredFailures(harness.http.url, results)).toEqual([]);
  });
});
