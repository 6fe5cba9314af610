// Memory the registry holds per 100 services (descriptor, capabilities, two listed tools, stats
// with a latency window in use), measured as retained heap over 2,000 services after full GC, plus
// the array buffers the heap does not count (a latency window's ring lives in one).
import { createServicePolicy, parseConfig } from '@switchboard/core';
import { buildRegistry } from './decision.mjs';

function heapAfterGc() {
  globalThis.gc();
  globalThis.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

export function runMemoryBench(print) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  const n = 2_000;
  const before = heapAfterGc();
  const registry = buildRegistry(n);
  const afterRegistry = heapAfterGc();
  // The router also keeps a breaker+timeout policy per service; measured separately.
  const failover = parseConfig({}).failover;
  const policies = registry.all().map((e) => createServicePolicy(e, registry, failover, () => 0));
  const afterPolicies = heapAfterGc();
  print({
    bench: 'memory',
    services: n,
    bytesPer100Services: Math.round(((afterRegistry - before) / n) * 100),
    bytesPer100ServicesWithBreakers: Math.round(((afterPolicies - before) / n) * 100),
  });
  policies.forEach((p) => p.dispose());
  return registry.size;
}
