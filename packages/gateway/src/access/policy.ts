// Who may see and call what: rules from config, checked per identity against each tool, prompt and
// resource. The first rule that covers an item and matches the identity decides; none matching, the
// default does. Lists are filtered with the same decision a call gets, so a client never sees what it
// may not call. Names match globs (picomatch: `*` within a `/` segment, `**` across); conditions on
// the identity are subjects, clients, scopes, claims, and a CEL expression where they need more.
import picomatch from 'picomatch';
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { SwitchboardError } from '@switchboard/core';
import type { Identity } from './identity.js';

export type AccessKind = 'tool' | 'prompt' | 'resource';

export interface PolicyRuleConfig {
  /** Named in a denied call's error and in audit lines. */
  name: string;
  effect: 'allow' | 'deny';
  /** Globs on the exposed names this rule covers (a resource's URI or template). */
  tools?: readonly string[];
  prompts?: readonly string[];
  resources?: readonly string[];
  /** The identity's subject must match one of these globs. */
  subjects?: readonly string[];
  /** Its OAuth client id must match one of these globs. */
  clients?: readonly string[];
  /** It must hold every one of these scopes. */
  scopes?: readonly string[];
  /** Each claim must equal the value given (or, for a list, be one of them; a list claim must contain it). */
  claims?: Readonly<Record<string, string | number | boolean | ReadonlyArray<string | number | boolean>>>;
  /** A CEL expression over `identity` (subject, clientId, scopes, claims, method), `kind` and `name`; true matches. */
  when?: string;
}

export interface PolicyConfig {
  /** What happens to an item no rule covers for the identity (default 'allow'). */
  default?: 'allow' | 'deny';
  rules: readonly PolicyRuleConfig[];
}

export interface AccessDecision {
  readonly allowed: boolean;
  /** The rule that decided; undefined when the default did. */
  readonly rule?: string;
}

interface CompiledRule {
  readonly name: string;
  readonly allow: boolean;
  readonly covers: Partial<Record<AccessKind, (name: string) => boolean>>;
  readonly who: (identity: Identity, kind: AccessKind, name: string) => boolean;
}

const GLOB = { dot: true } as const;

function anyGlob(globs: readonly string[]): (value: string) => boolean {
  const matchers = globs.map((g) => picomatch(g, GLOB));
  return (value) => matchers.some((m) => m(value));
}

function claimMatches(actual: unknown, wanted: string | number | boolean | ReadonlyArray<string | number | boolean>): boolean {
  const options = Array.isArray(wanted) ? wanted : [wanted];
  if (Array.isArray(actual)) return actual.some((a) => options.includes(a as string));
  return options.includes(actual as string);
}

/** CEL works on plain JSON: numbers in claims become doubles, which `==` compares with ints too. */
function celValue(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function compileWhen(rule: PolicyRuleConfig): ((identity: Identity, kind: AccessKind, name: string) => boolean) | undefined {
  if (rule.when === undefined) return undefined;
  let evaluate: ReturnType<typeof plan>;
  try {
    evaluate = plan(celEnv(), parse(rule.when));
  } catch (error) {
    throw new SwitchboardError('CONFIG_INVALID', `policy rule ${rule.name}: its \`when\` is not valid CEL: ${(error as Error).message}`, { plugin: 'gateway-policy' });
  }
  return (identity, kind, name) => {
    const result = evaluate({
      identity: celValue({ subject: identity.subject ?? '', clientId: identity.clientId ?? '', scopes: identity.scopes, claims: identity.claims, method: identity.method }),
      kind,
      name,
    } as never);
    // An expression that errors (a missing claim, a type mismatch) fails closed: an allow rule does
    // not match, a deny rule does. A mistake in a rule never widens access.
    if (isCelError(result)) return rule.effect === 'deny';
    return result === true;
  };
}

function compile(rule: PolicyRuleConfig): CompiledRule {
  const covers: Partial<Record<AccessKind, (name: string) => boolean>> = {};
  if (rule.tools) covers.tool = anyGlob(rule.tools);
  if (rule.prompts) covers.prompt = anyGlob(rule.prompts);
  if (rule.resources) covers.resource = anyGlob(rule.resources);
  const subjects = rule.subjects ? anyGlob(rule.subjects) : undefined;
  const clients = rule.clients ? anyGlob(rule.clients) : undefined;
  const scopes = rule.scopes ?? [];
  const claims = Object.entries(rule.claims ?? {});
  const when = compileWhen(rule);
  return {
    name: rule.name,
    allow: rule.effect === 'allow',
    covers,
    who: (identity, kind, name) =>
      (subjects === undefined || (identity.subject !== undefined && subjects(identity.subject))) &&
      (clients === undefined || (identity.clientId !== undefined && clients(identity.clientId))) &&
      scopes.every((s) => identity.scopes.includes(s)) &&
      claims.every(([claim, wanted]) => claimMatches(identity.claims[claim], wanted)) &&
      (when === undefined || when(identity, kind, name)),
  };
}

export class AccessPolicy {
  private readonly rules: readonly CompiledRule[];
  private readonly fallback: boolean;
  /** Whether decisions differ between identities (then list answers are private to the caller). */
  readonly dependsOnIdentity: boolean;

  /** Throws CONFIG_INVALID for a rule that covers nothing or a `when` that does not parse. */
  constructor(config: PolicyConfig) {
    for (const rule of config.rules) {
      if (!rule.tools && !rule.prompts && !rule.resources) {
        throw new SwitchboardError('CONFIG_INVALID', `policy rule ${rule.name} covers nothing: give it tools, prompts or resources (["*"] for all)`, { plugin: 'gateway-policy' });
      }
    }
    this.rules = config.rules.map(compile);
    this.fallback = (config.default ?? 'allow') === 'allow';
    this.dependsOnIdentity = config.rules.some((r) => r.subjects || r.clients || r.scopes || r.claims || r.when);
  }

  decide(identity: Identity, kind: AccessKind, name: string): AccessDecision {
    for (const rule of this.rules) {
      const covers = rule.covers[kind];
      if (covers?.(name) && rule.who(identity, kind, name)) return { allowed: rule.allow, rule: rule.name };
    }
    return { allowed: this.fallback };
  }

  allows(identity: Identity, kind: AccessKind, name: string): boolean {
    return this.decide(identity, kind, name).allowed;
  }
}
