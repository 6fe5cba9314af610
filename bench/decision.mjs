// Routing decision cost (filter + select) per strategy, for 10, 100 and 1,000 services.
// "cached" is the hot path as it runs: the candidate list is cached until the catalogue changes.
// "uncached" invalidates the catalogue before every decision: the worst case, a change per request.
import { ServiceRegistry, serverEntrySchema, toDescriptor } from '@switchboard/core';
import firstMatch from '@switchboard/strategy-first-match';
import latency from '@switchboard/strategy-latency';
import leastLoaded from '@switchboard/strategy-least-loaded';
import random from '@switchboard/strategy-random';
import roundRobin from '@switchboard/strategy-round-robin';

const PLUGINS = [roundRobin(), leastLoaded(), random(), latency(), firstMatch()];

function strategyOf(plugin) {
  let provided;
  plugin.register({ container: undefined, logger: undefined, instanceId: plugin.type, provide: (s) => (provided = s) }, plugin.optionsSchema.parse({}));
  return provided;
}

/** `distinct`: each service lists tools of its own (a second tool named for it), not the same two as every other. */
export function buildRegistry(n, { distinct = false } = {}) {
  const registry = new ServiceRegistry();
  for (let i = 0; i < n; i++) {
    const entry = serverEntrySchema.parse({ name: `svc-${i}`, url: `http://127.0.0.1:${10000 + i}/mcp`, capabilities: ['search', i % 2 ? 'news' : 'web'] });
    registry.apply({ type: 'added', service: toDescriptor(entry, 'bench#0') });
    const e = registry.get(`svc-${i}`);
    registry.setTools(e, [
      { name: 'web_search', inputSchema: { type: 'object' } },
      { name: distinct ? `echo_${i}` : 'echo', inputSchema: { type: 'object' } },
    ]);
    e.stats.end(true, 5 + (i % 7), 1);
  }
  return registry;
}

function measure(fn, minMs = 300) {
  for (let i = 0; i < 2_000; i++) fn(); // warm up the JIT
  let iterations = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  const limit = BigInt(minMs) * 1_000_000n;
  while (elapsed < limit) {
    for (let i = 0; i < 1_000; i++) fn();
    iterations += 1_000;
    elapsed = process.hrtime.bigint() - start;
  }
  return Number(elapsed) / iterations;
}

export function runDecisionBench(print) {
  const required = ['search', 'web_search'];
  const key = 'web_search\u0000search\u0000';
  const ctx = { toolName: 'web_search', random: Math.random, now: () => 1_000 };
  for (const plugin of PLUGINS) {
    const strategy = strategyOf(plugin);
    for (const services of [10, 100, 1_000]) {
      const registry = buildRegistry(services);
      const first = registry.get('svc-0');
      let sink = 0;
      const cached = measure(() => {
        const set = registry.candidates(key, required, undefined, 1_000);
        sink += strategy.select(set.list, ctx) ? 1 : 0;
      });
      const uncached = measure(() => {
        registry.markChanged(first);
        const set = registry.candidates(key, required, undefined, 1_000);
        sink += strategy.select(set.list, ctx) ? 1 : 0;
      }, 200);
      if (sink === 0) throw new Error('no decision was made');
      print({ bench: 'decision', strategy: plugin.type, services, nsPerDecision: Math.round(cached), nsPerDecisionUncached: Math.round(uncached) });
    }
  }
}
