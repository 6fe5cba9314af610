// What the gateway's sessions ask before serving: may this identity see or use this item (policy),
// may it call now (rate limits), and the audit line of each call. Built from config once; a live
// reload swaps the whole object, so a request sees one consistent version.
import type { Logger } from '@switchboard/core';
import { ClientError } from '../downstream/client-error.js';
import { ACCESS_DENIED_CODE, RATE_LIMITED_CODE } from './access-codes.js';
import { AuditLog, type AuditConfig, type AuditEvent } from './audit-log.js';
import type { Identity } from './identity.js';
import { AccessPolicy, type AccessKind, type PolicyConfig } from './policy.js';
import { RateLimits, type RateDecision, type RateLimitConfig } from './rate-limits.js';

export interface AccessOptions {
  policy?: PolicyConfig;
  rateLimits?: readonly RateLimitConfig[];
  audit?: AuditConfig;
}

/** What a call is, for its audit line and its refusal. */
export interface CallContext {
  readonly method: string;
  readonly era: '2025' | '2026';
  readonly protocolVersion?: string;
  readonly client?: { name?: string; version?: string };
  readonly arguments?: unknown;
}

export class AccessControl {
  readonly policy: AccessPolicy | undefined;
  readonly limits: RateLimits | undefined;
  audit: AuditLog | undefined;
  /** Told of each refusal (metrics). */
  onRefused?: (reason: 'policy' | 'rate_limit') => void;

  /** Throws CONFIG_INVALID on a policy rule that covers nothing or does not parse. */
  constructor(options: AccessOptions, logger: Logger) {
    this.policy = options.policy ? new AccessPolicy(options.policy) : undefined;
    this.limits = options.rateLimits && options.rateLimits.length > 0 ? new RateLimits(options.rateLimits) : undefined;
    this.audit = options.audit ? new AuditLog(options.audit, logger) : undefined;
  }

  /** Whether list answers depend on who asks (then they are `cacheScope: private`). */
  get identityScoped(): boolean {
    return this.policy?.dependsOnIdentity === true;
  }

  /** The items of a list this identity may see. */
  filter<T>(identity: Identity, kind: AccessKind, items: readonly T[], nameOf: (item: T) => string): readonly T[] {
    const policy = this.policy;
    if (!policy) return items;
    return items.filter((item) => policy.allows(identity, kind, nameOf(item)));
  }

  allows(identity: Identity, kind: AccessKind, name: string): boolean {
    return this.policy?.allows(identity, kind, name) ?? true;
  }

  /** Refuse (and audit) a call the policy denies; the error names the rule. */
  admit(identity: Identity, kind: AccessKind, name: string, call: CallContext): void {
    const decision = this.policy?.decide(identity, kind, name);
    if (!decision || decision.allowed) return;
    const rule = decision.rule ?? 'default';
    this.record({ identity, name, outcome: 'denied', reason: rule, ...call });
    this.onRefused?.('policy');
    throw new ClientError(ACCESS_DENIED_CODE, `Access denied: ${call.method} ${name} is not allowed for ${identity.subject ?? identity.key} (policy rule: ${rule})`, { reason: 'policy_denied', rule });
  }

  /** Take a rate-limit token for a tool call; a refusal is audited, and the caller answers it (see rateLimitError). */
  take(identity: Identity, tool: string, call: CallContext): RateDecision {
    const decision = this.limits?.take(identity, tool) ?? { ok: true as const };
    if (!decision.ok) {
      this.record({ identity, name: tool, outcome: 'rate_limited', reason: decision.limit, ...call });
      this.onRefused?.('rate_limit');
    }
    return decision;
  }

  record(event: AuditEvent): void {
    this.audit?.record(event);
  }

  async close(): Promise<void> {
    await this.audit?.close();
  }
}

export function rateLimitError(decision: Extract<RateDecision, { ok: false }>, tool: string): ClientError {
  return new ClientError(RATE_LIMITED_CODE, `Rate limit ${decision.limit} reached for ${tool}; retry in ${Math.ceil(decision.retryAfterMs / 1000)} s`, {
    reason: 'rate_limited',
    limit: decision.limit,
    retryAfterMs: decision.retryAfterMs,
  });
}
