// The config keys of authentication and access: `gateway.auth`, `gateway.policy`,
// `gateway.rateLimits`, `gateway.pins` and `gateway.audit`. Checked by `switchboard validate` and on
// every reload, so a rule that cannot work is an error before it is in force.
import { z } from 'zod';
import { parse } from '@bufbuild/cel';

const secret = (what: string) => z.string().min(16, `${what} should be at least 16 characters`);

const staticCredential = (what: string) =>
  z.union([
    secret(what),
    z.strictObject({
      token: secret(what),
      subject: z.string().min(1).optional(),
      scopes: z.array(z.string().min(1)).optional(),
      claims: z.record(z.string(), z.unknown()).optional(),
    }),
  ]);

export const oauthSchema = z.strictObject({
  issuer: z.string().url(),
  resource: z.string().url().optional(),
  audience: z.array(z.string().min(1)).min(1).optional(),
  jwksUri: z.string().url().optional(),
  requiredScopes: z.array(z.string().min(1)).optional(),
  scopesSupported: z.array(z.string().min(1)).optional(),
  algorithms: z.array(z.string().min(1)).min(1).optional(),
  clockToleranceSec: z.number().int().min(0).max(300).optional(),
  jwksCooldownMs: z.number().int().min(0).optional(),
  resourceName: z.string().min(1).optional(),
});

export const authSchema = z.strictObject({
  bearerTokens: z.array(staticCredential('a bearer token')).optional(),
  apiKeyHeader: z.string().min(1).optional(),
  apiKeys: z.array(staticCredential('an API key')).optional(),
  oauth: oauthSchema.optional(),
});

const globs = z.array(z.string().min(1)).min(1);
const claimValue = z.union([z.string(), z.number(), z.boolean()]);

const celExpression = z.string().superRefine((text, ctx) => {
  try {
    parse(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not valid CEL: ${(error as Error).message}` });
  }
});

export const policySchema = z.strictObject({
  default: z.enum(['allow', 'deny']).default('allow'),
  rules: z
    .array(
      z
        .strictObject({
          name: z.string().min(1),
          effect: z.enum(['allow', 'deny']),
          tools: globs.optional(),
          prompts: globs.optional(),
          resources: globs.optional(),
          subjects: globs.optional(),
          clients: globs.optional(),
          scopes: z.array(z.string().min(1)).optional(),
          claims: z.record(z.string(), z.union([claimValue, z.array(claimValue)])).optional(),
          when: celExpression.optional(),
        })
        .refine((r) => r.tools || r.prompts || r.resources, { message: 'a rule must cover tools, prompts or resources (["*"] for all)' }),
    )
    .default([])
    .superRefine((rules, ctx) => {
      const seen = new Set<string>();
      rules.forEach((r, i) => {
        if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `two rules are named ${r.name}: a denial must name one` });
        seen.add(r.name);
      });
    }),
});

export const rateLimitsSchema = z.array(
  z.strictObject({
    name: z.string().min(1),
    tools: globs.optional(),
    per: z.enum(['identity', 'tool', 'identity-tool']).default('identity'),
    limit: z.number().positive(),
    windowSeconds: z.number().positive(),
    instances: z.number().int().positive().optional(),
  }),
);

export const pinsSchema = z.strictObject({
  /** Default: switchboard.pins.json beside the config file. */
  file: z.string().min(1).optional(),
  /** Keep the pins in etcd instead, shared by every instance of a fleet (and the CLI that approves). */
  store: z
    .discriminatedUnion('type', [z.strictObject({ type: z.literal('etcd'), endpoints: z.array(z.string().url()).min(1), key: z.string().min(1).default('/switchboard/pins') })])
    .optional(),
  onDefinitionChange: z.enum(['block', 'warn', 'accept']).default('warn'),
});

export const auditSchema = z.strictObject({
  to: z.string().min(1),
  includeArguments: z.boolean().default(false),
  includeResults: z.boolean().default(false),
});

export const upstreamAuthSchema = z.record(
  z.string().min(1),
  z.strictObject({
    /** OAuth 2.0 Token Exchange (RFC 8693): the caller's token traded for one issued for this upstream. */
    tokenExchange: z.strictObject({
      tokenEndpoint: z.string().url(),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      audience: z.string().min(1).optional(),
      resource: z.string().url().optional(),
      scope: z.string().min(1).optional(),
    }),
  }),
);
