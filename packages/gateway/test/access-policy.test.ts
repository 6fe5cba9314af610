import { describe, expect, it } from 'vitest';
import { AccessPolicy } from '../src/access/policy.js';
import { RateLimits } from '../src/access/rate-limits.js';
import type { Identity } from '../src/access/identity.js';

const who = (subject: string, scopes: string[] = [], claims: Record<string, unknown> = {}): Identity => ({ key: `k:${subject}`, method: 'bearer', subject, scopes, claims });

describe('AccessPolicy', () => {
  it('lets the first rule that covers the item and matches the identity decide, else the default', () => {
    const policy = new AccessPolicy({
      default: 'deny',
      rules: [
        { name: 'no-delete', effect: 'deny', tools: ['fs__delete*'] },
        { name: 'readers', effect: 'allow', tools: ['fs__*'], scopes: ['files:read'] },
        { name: 'docs', effect: 'allow', resources: ['docs://**'] },
      ],
    });
    const reader = who('r', ['files:read']);
    expect(policy.decide(reader, 'tool', 'fs__read')).toEqual({ allowed: true, rule: 'readers' });
    expect(policy.decide(reader, 'tool', 'fs__delete_all')).toEqual({ allowed: false, rule: 'no-delete' });
    expect(policy.decide(who('x'), 'tool', 'fs__read')).toEqual({ allowed: false });
    expect(policy.decide(who('x'), 'resource', 'docs://a/b/c')).toEqual({ allowed: true, rule: 'docs' });
    // A rule covers only the kinds it names.
    expect(policy.decide(reader, 'prompt', 'fs__read')).toEqual({ allowed: false });
    expect(policy.dependsOnIdentity).toBe(true);
  });

  it('matches subjects, clients and claims (a list claim must contain one of the values)', () => {
    const policy = new AccessPolicy({
      default: 'deny',
      rules: [
        { name: 'team', effect: 'allow', tools: ['*'], claims: { groups: ['ops', 'sre'] } },
        { name: 'bots', effect: 'allow', tools: ['status'], clients: ['bot-*'] },
      ],
    });
    expect(policy.allows(who('a', [], { groups: ['dev', 'sre'] }), 'tool', 'deploy')).toBe(true);
    expect(policy.allows(who('a', [], { groups: ['dev'] }), 'tool', 'deploy')).toBe(false);
    expect(policy.allows({ ...who('svc'), clientId: 'bot-7' }, 'tool', 'status')).toBe(true);
    expect(policy.allows({ ...who('svc'), clientId: 'human' }, 'tool', 'status')).toBe(false);
  });

  it('evaluates CEL over identity, kind and name; an expression that errors fails closed', () => {
    const policy = new AccessPolicy({
      rules: [
        { name: 'eng-only', effect: 'deny', tools: ['deploy'], when: 'identity.claims.dept != "eng"' },
        { name: 'admin-by-cel', effect: 'allow', tools: ['admin_*'], when: '"admin" in identity.scopes && name.startsWith("admin_")' },
        { name: 'no-admin', effect: 'deny', tools: ['admin_*'] },
      ],
    });
    expect(policy.allows(who('e', [], { dept: 'eng' }), 'tool', 'deploy')).toBe(true);
    expect(policy.allows(who('s', [], { dept: 'sales' }), 'tool', 'deploy')).toBe(false);
    // No `dept` claim: the deny rule's expression errors, and a deny rule that errors matches.
    expect(policy.decide(who('n'), 'tool', 'deploy')).toEqual({ allowed: false, rule: 'eng-only' });
    expect(policy.allows(who('a', ['admin']), 'tool', 'admin_reset')).toBe(true);
    expect(policy.decide(who('u'), 'tool', 'admin_reset')).toEqual({ allowed: false, rule: 'no-admin' });
  });

  it('refuses a rule that covers nothing or does not parse, naming it', () => {
    expect(() => new AccessPolicy({ rules: [{ name: 'empty', effect: 'deny' }] })).toThrow(/empty covers nothing/);
    expect(() => new AccessPolicy({ rules: [{ name: 'broken', effect: 'deny', tools: ['*'], when: 'a &&' }] })).toThrow(/broken.*not valid CEL/);
  });

  it('does not depend on identity when no rule looks at it', () => {
    expect(new AccessPolicy({ rules: [{ name: 'r', effect: 'deny', tools: ['x'] }] }).dependsOnIdentity).toBe(false);
  });
});

describe('RateLimits', () => {
  it('refills at limit/window, refuses with the time until a token, and takes from no bucket when one refuses', () => {
    let now = 0;
    const limits = new RateLimits(
      [
        { name: 'per-user', limit: 2, windowSeconds: 10 },
        { name: 'search', tools: ['search'], per: 'tool', limit: 3, windowSeconds: 10 },
      ],
      100,
      () => now,
    );
    const a = who('a');
    const b = who('b');
    expect(limits.take(a, 'search').ok).toBe(true);
    expect(limits.take(a, 'search').ok).toBe(true);
    const refused = limits.take(a, 'search');
    expect(refused).toEqual({ ok: false, limit: 'per-user', retryAfterMs: 5_000 });
    // b's per-user bucket is full; the shared per-tool bucket has one token left (a's refusal took none).
    expect(limits.take(b, 'search').ok).toBe(true);
    expect(limits.take(b, 'search')).toMatchObject({ ok: false, limit: 'search' });
    now = 5_000;
    expect(limits.take(a, 'other').ok).toBe(true);
  });

  it('divides a fleet limit between instances, and keeps at most maxBuckets buckets', () => {
    const limits = new RateLimits([{ name: 'fleet', limit: 10, windowSeconds: 1, instances: 5 }], 50, () => 0);
    const a = who('a');
    expect(limits.take(a, 't').ok).toBe(true);
    expect(limits.take(a, 't').ok).toBe(true);
    expect(limits.take(a, 't').ok).toBe(false);
    for (let i = 0; i < 200; i++) limits.take(who(`u${i}`), 't');
    expect(limits.size).toBeLessThanOrEqual(50);
  });
});
