// The canonical config (camelCase). Validated once at createRouter(); plugin options are checked
// against each plugin's own schema at initialize(), and every problem is reported with its path.
import { z } from 'zod';
import { strictObject } from './strict-object.js';

/** A reference to a plugin by config name; the remaining keys are the plugin's options. */
export const pluginRefSchema = z.looseObject({ type: z.string().min(1, 'needs a `type`') });
export type PluginRef = z.output<typeof pluginRefSchema>;

export const breakerSchema = strictObject({
  /** Consecutive failures that open a service's breaker. */
  consecutiveFailures: z.number().int().positive().default(5),
  /** How long an open breaker keeps its service out before one trial call. */
  halfOpenAfterMs: z.number().int().positive().default(10_000),
  /** Each consecutive ejection doubles the open time, up to this cap (Envoy's growing ejection). */
  maxHalfOpenAfterMs: z.number().int().positive().default(300_000),
});

export const failoverSchema = strictObject({
  /** Further services to try after the first one fails (the pattern's max_failover_attempts). */
  maxAttempts: z.number().int().min(0).default(3),
  /** Per-call timeout; a call that takes longer fails over. */
  timeoutMs: z.number().int().positive().default(30_000),
  breaker: breakerSchema.default({ consecutiveFailures: 5, halfOpenAfterMs: 10_000, maxHalfOpenAfterMs: 300_000 }),
  /**
   * Tools that may be retried after a failure that may have reached the server, beyond those
   * annotated readOnlyHint or idempotentHint ('*' for all).
   */
  retryableTools: z.array(z.string().min(1)).default([]),
  /** Retries may add at most `percent` of recent requests, plus `minPerSecond`. */
  retryBudget: strictObject({ percent: z.number().min(0).max(100).default(20), minPerSecond: z.number().min(0).default(10) })
    .default({ percent: 20, minPerSecond: 10 }),
  /**
   * Failure-rate ejection (Envoy's failure_percentage outlier detection): within each window, a
   * service with at least `minRequests` calls of which `failurePercent` or more failed is ejected
   * like an opened breaker. `failurePercent: 0` disables it.
   */
  outlier: strictObject({
      windowMs: z.number().int().positive().default(10_000),
      minRequests: z.number().int().positive().default(20),
      failurePercent: z.number().min(0).max(100).default(50),
    })
    .default({ windowMs: 10_000, minRequests: 20, failurePercent: 50 }),
  /** Below this share of healthy services, route across all eligible ones (Envoy's panic threshold; 0 disables). */
  panicThresholdPercent: z.number().min(0).max(100).default(50),
  /**
   * For calls that are safe to repeat (read-only, idempotent, or retryable), each attempt gets its
   * own timeout from the observed latency of that operation: `multiplier` × its p`percentile`,
   * at least `minMs`, at most `timeoutMs`; used once `minSamples` successful calls are known. A
   * replica that accepts and never answers then costs a caller that long, not the whole timeout,
   * and its timeouts eject it. `multiplier: 0` disables it.
   */
  attemptTimeout: strictObject({
      multiplier: z.number().min(0).default(10),
      percentile: z.number().min(50).max(100).default(99),
      minMs: z.number().int().positive().default(1_000),
      minSamples: z.number().int().positive().default(20),
    })
    .default({ multiplier: 10, percentile: 99, minMs: 1_000, minSamples: 20 }),
  /**
   * Hedging for calls that are safe to repeat: when the first attempt has not answered within the
   * p`percentile` latency of that operation (at least `minDelayMs`), a second attempt goes to
   * another service and the first answer wins; the slower attempt runs on (its outcome counts for
   * its service). Hedges have their own budget: at most `budgetPercent` of recent requests plus
   * `budgetMinPerSecond`, since they add load exactly when servers are slow. `enabled: false` turns it off.
   */
  hedging: strictObject({
      enabled: z.boolean().default(true),
      percentile: z.number().min(50).max(100).default(95),
      minDelayMs: z.number().min(0).default(5),
      minSamples: z.number().int().positive().default(20),
      budgetPercent: z.number().min(0).max(100).default(5),
      budgetMinPerSecond: z.number().min(0).default(2),
    })
    .default({ enabled: true, percentile: 95, minDelayMs: 5, minSamples: 20, budgetPercent: 5, budgetMinPerSecond: 2 }),
  /** Full-jitter exponential backoff between failover attempts. */
  backoff: strictObject({ baseMs: z.number().min(0).default(5), maxMs: z.number().min(0).default(250) }).default({ baseMs: 5, maxMs: 250 }),
});

export const HEALTH_CORE_KEYS = ['type', 'intervalMs', 'timeoutMs', 'unhealthyThreshold', 'healthyThreshold'] as const;

export const healthSchema = z.looseObject({
  type: z.string().min(1).default('ping'),
  intervalMs: z.number().int().positive().default(30_000),
  timeoutMs: z.number().int().positive().default(5_000),
  /** Consecutive failed checks that mark a service down. */
  unhealthyThreshold: z.number().int().positive().default(2),
  /** Consecutive good checks that bring it back. */
  healthyThreshold: z.number().int().positive().default(1),
});

export const configSchema = strictObject({
  discovery: z.array(pluginRefSchema).default([]),
  strategy: pluginRefSchema.default({ type: 'first-match' }),
  failover: failoverSchema.default({
    maxAttempts: 3,
    timeoutMs: 30_000,
    breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10_000, maxHalfOpenAfterMs: 300_000 },
    retryableTools: [],
    retryBudget: { percent: 20, minPerSecond: 10 },
    panicThresholdPercent: 50,
    outlier: { windowMs: 10_000, minRequests: 20, failurePercent: 50 },
    attemptTimeout: { multiplier: 10, percentile: 99, minMs: 1_000, minSamples: 20 },
    hedging: { enabled: true, percentile: 95, minDelayMs: 5, minSamples: 20, budgetPercent: 5, budgetMinPerSecond: 2 },
    backoff: { baseMs: 5, maxMs: 250 },
  }),
  health: z.union([z.literal(false), healthSchema]).default({
    type: 'ping',
    intervalMs: 30_000,
    timeoutMs: 5_000,
    unhealthyThreshold: 2,
    healthyThreshold: 1,
  }),
  /** How often discoverers are asked to look again (when enableAutoRefresh). */
  discoveryIntervalMs: z.number().int().positive().default(60_000),
  enableAutoRefresh: z.boolean().default(true),
  /** How long initialize() waits for discoverers' first view and upstreams' first connection. */
  discoveryTimeoutMs: z.number().int().positive().default(30_000),
  /** Packages to load plugins from, beyond the built-in names. */
  plugins: z.array(z.string().min(1)).default([]),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  /** OpenTelemetry spans per routed call (needs @switchboard/tracing-otel and @opentelemetry/api). */
  tracing: strictObject({ type: z.literal('otel') }).optional(),
  /** How `switchboard serve` exposes the router; validated by @switchboard/gateway. */
  gateway: z.record(z.string(), z.unknown()).optional(),
});

export type SwitchboardConfigInput = z.input<typeof configSchema>;
export type SwitchboardConfig = z.output<typeof configSchema>;
export type HealthConfig = z.output<typeof healthSchema>;
export type FailoverConfig = z.output<typeof failoverSchema>;
