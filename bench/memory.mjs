// Memory the registry holds per 100 services (descriptor, capabilities, two listed tools, stats
// with a latency window in use; the same two tools for all, as replicas list them, and again with
// a different list for each), measured as retained heap over 10,000 services after full GC, plus
// the array buffers the heap does not count (a latency window's ring lives in one).
import { createServicePolicy, parseConfig } from '@switchboard/core';
import { buildRegistry } from './decision.mjs';

/**
 * After the current job ends: objects a WeakRef was made to in a job are kept until it ends (the
 * registry remembers recent tool lists weakly), and a synchronous build of 10,000 services would
 * count that set, which no real list read (each in its own job) ever holds.
 */
async function heapAfterGc() {
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
  globalThis.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

function warmUp(n, failover) {
  const warm = buildRegistry(n);
  for (const e of warm.all()) createServicePolicy(e, warm, failover, () => 0).dispose();
}

export async function runMemoryBench(print) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  const n = 10_000;
  // Build and drop one registry first: the code, inline caches and shared shapes that building
  // creates are made once per process, not per service, and would otherwise be counted (they moved
  // the figure by ±10 KB per 100 services from run to run).
  const failover = parseConfig({}).failover;
  warmUp(n, failover); // in its own frame: a local of this one could keep the warm-up registry alive
  const before = await heapAfterGc();
  const registry = buildRegistry(n);
  const afterRegistry = await heapAfterGc();
  // The router also keeps a breaker+timeout policy per service; measured separately.
  const policies = registry.all().map((e) => createServicePolicy(e, registry, failover, () => 0));
  const afterPolicies = await heapAfterGc();
  const distinct = await measureDistinct(n, failover);
  print({
    bench: 'memory',
    services: n,
    bytesPer100Services: Math.round(((afterRegistry - before) / n) * 100),
    bytesPer100ServicesWithBreakers: Math.round(((afterPolicies - before) / n) * 100),
    // The same with a tool list of its own per service: nothing to share (replicas share one copy).
    bytesPer100ServicesDistinctTools: distinct.registry,
    bytesPer100ServicesDistinctToolsWithBreakers: distinct.withBreakers,
  });
  policies.forEach((p) => p.dispose());
  return registry.size;
}

/** The figures for services that all list different tools; in its own frame, so its registry is gone after. */
async function measureDistinct(n, failover) {
  const before = await heapAfterGc();
  const registry = buildRegistry(n, { distinct: true });
  const afterRegistry = await heapAfterGc();
  const policies = registry.all().map((e) => createServicePolicy(e, registry, failover, () => 0));
  const afterPolicies = await heapAfterGc();
  policies.forEach((p) => p.dispose());
  return { registry: Math.round(((afterRegistry - before) / n) * 100), withBreakers: Math.round(((afterPolicies - before) / n) * 100) };
}
