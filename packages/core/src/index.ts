// @switchboard/core: contracts, registry, router, failover, config and errors.
import 'reflect-metadata';

export { inject, injectable } from 'tsyringe';
export type { DependencyContainer } from 'tsyringe';

export * from './errors.js';
export * from './logger.js';
export * from './tokens.js';
export * from './descriptor.js';
export * from './contracts.js';
export * from './plugin.js';
export * from './builtins.js';
export * from './plugin-catalog.js';
export * from './version.js';
export * from './stats.js';
export * from './latency-window.js';
export * from './deadline.js';
export * from './config/schema.js';
export * from './config/strict-object.js';
export * from './config/pattern-names.js';
export * from './config/validate.js';
export * from './config/load.js';
export * from './registry.js';
export * from './pool.js';
export * from './failure.js';
export * from './breaker.js';
export * from './health-monitor.js';
export * from './route-types.js';
export * from './router.js';
export * from './retry-budget.js';
export * from './retry-safety.js';
export * from './observer.js';
export * from './link-faults.js';
export * from './pending-requests.js';
export { resolvePlugins, type PluginSelection, type ResolvedPlugin } from './wiring.js';
export * from './self-recognition.js';
export * from './jsonrpc.js';
