// The JSON Schema of a Switchboard config file: core's configSchema with each first-party plugin's
// options spliced in as a discriminated union on `type`, plus the pattern's names. Built from the
// zod schemas (z.toJSONSchema, input side, so keys with defaults are optional) and composed as
// JSON, because plugin schemas with transforms (discovery-static) cannot be `.extend()`ed in zod.
import { configSchema, healthSchema, mcpServersSchema, serverEntrySchema, type AnyPlugin } from '@switchboard/core';
import { z } from 'zod';
import { camelCaseOf, DESCRIPTIONS } from './descriptions.js';
import { firstPartyOf, firstPartyPlugins, type ConfiguredKind } from './first-party.js';

/** A JSON Schema node (draft-07), with the keywords this module reads spelled out. */
export interface JsonSchema {
  [keyword: string]: unknown;
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  definitions?: Record<string, JsonSchema>;
}

export interface BuiltSchema {
  schema: JsonSchema;
  /** Key paths with no description (zod or DESCRIPTIONS); a test keeps this empty. */
  undocumented: string[];
}

export const SERVER_ENTRY_REF = '#/definitions/serverEntry';
export const MCP_SERVER_ENTRY_REF = '#/definitions/mcpServerEntry';

/** The pattern's names as the JSON Schema accepts them (the mapping lives in core's pattern-names.ts). */
function patternNameSchemas(): Record<string, JsonSchema> {
  const seconds: JsonSchema = { type: 'number', exclusiveMinimum: 0 };
  return {
    routing_strategy: { type: 'string', enum: ['capability_match', 'load_balance', 'performance'] },
    load_balancing_strategy: { type: 'string', enum: ['round_robin', 'least_loaded', 'random', 'weighted'] },
    max_failover_attempts: { type: 'integer', minimum: 0 },
    discovery_interval_seconds: { ...seconds },
    discovery_timeout: { ...seconds },
    enable_auto_refresh: { type: 'boolean' },
    health_check_interval: { ...seconds },
    initial_servers: { type: 'array', items: { $ref: SERVER_ENTRY_REF } },
    enable_performance_tracking: {},
    prefer_low_latency: {},
    enable_service_mesh: {},
  };
}

/** zod → JSON Schema for one piece, without the noise editors and readers do not need. */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, { io: 'input', target: 'draft-07', unrepresentable: 'any' }) as JsonSchema;
  delete out.$schema;
  return tidy(out);
}

// Safe-integer bounds come from every .int() and say nothing to a config author; propertyNames
// { type: string } is always true of JSON keys.
function tidy(node: JsonSchema): JsonSchema {
  if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
  if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
  if (JSON.stringify(node.propertyNames) === '{"type":"string"}') delete node.propertyNames;
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) value.forEach((v) => isSchema(v) && tidy(v));
    else if (isSchema(value)) tidy(value);
  }
  return node;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Replace every subtree equal to `target` with a $ref (the server entry inside static's options). */
function replaceWithRef(node: JsonSchema, target: string, ref: string): JsonSchema {
  if (JSON.stringify(node) === target) return { $ref: ref };
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) node[key] = value.map((v: unknown) => (isSchema(v) ? replaceWithRef(v, target, ref) : v));
    else if (isSchema(value)) node[key] = replaceWithRef(value, target, ref);
  }
  return node;
}

const MCP_SERVERS_TEXT = JSON.stringify(toJsonSchema(mcpServersSchema));

/**
 * Point a plugin's copies of the shared shapes at the definitions: a server entry, and core's
 * loose mcpServers record (whose values static checks as server entries, so the ref is exact).
 */
function withSharedRefs(node: JsonSchema, serverEntry: string): JsonSchema {
  const out = replaceWithRef(node, serverEntry, SERVER_ENTRY_REF);
  for (const [key, child] of Object.entries(out.properties ?? {})) {
    if (JSON.stringify({ ...child, description: undefined }) === MCP_SERVERS_TEXT && out.properties)
      out.properties[key] = { type: 'object', additionalProperties: { $ref: MCP_SERVER_ENTRY_REF } };
  }
  return out;
}

class Describer {
  readonly undocumented: string[] = [];

  /** Set `description` on a node and its keys from DESCRIPTIONS, recording the keys that have none. */
  tree(node: JsonSchema, path: string): void {
    if (path) {
      node.description ??= DESCRIPTIONS[path];
      if (!node.description) this.undocumented.push(path);
    }
    this.children(node, path);
  }

  children(node: JsonSchema, path: string): void {
    for (const [key, child] of Object.entries(node.properties ?? {})) this.tree(child, path ? `${path}.${key}` : key);
    if (isSchema(node.additionalProperties) && node.additionalProperties.properties) this.children(node.additionalProperties, `${path}.*`);
    for (const alt of node.anyOf ?? []) this.children(alt, path);
  }
}

interface BranchExtras {
  /** Keys core reads beside the plugin's options (health's interval and thresholds). */
  coreProperties?: Record<string, JsonSchema>;
  /** The section's default type may be left out (`health: { intervalMs: 1000 }` means ping). */
  typeOptional?: boolean;
}

/** One `oneOf` branch: the plugin's options plus `type: <its name>`. */
function pluginBranch(plugin: AnyPlugin, describer: Describer, serverEntry: string, extra: BranchExtras = {}): JsonSchema {
  const options = withSharedRefs(toJsonSchema(plugin.optionsSchema), serverEntry);
  const path = `${plugin.kind}:${plugin.type}`;
  describer.tree(options, path);
  const typeRequired = !extra.typeOptional;
  return {
    title: plugin.type,
    ...(options.description ? { description: options.description } : {}),
    type: 'object',
    properties: {
      type: { const: plugin.type, ...(typeRequired ? {} : { default: plugin.type }), description: `\`${plugin.type}\` (plugin ${plugin.name})` },
      ...extra.coreProperties,
      ...options.properties,
    },
    required: [...(typeRequired ? ['type'] : []), ...(options.required ?? [])],
    ...(options.additionalProperties !== undefined ? { additionalProperties: options.additionalProperties } : {}),
  };
}

/** Any type the first-party plugins do not claim: a third-party plugin's, checked when it loads. */
function thirdPartyBranch(kind: ConfiguredKind, taken: string[], extra: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    title: 'third-party plugin',
    description: `A ${kind} plugin from a package listed under \`plugins\`; its own schema checks its options at start-up.`,
    type: 'object',
    properties: { type: { type: 'string', minLength: 1, not: { enum: taken } }, ...extra },
    required: ['type'],
  };
}

export function buildConfigJsonSchema(plugins: readonly AnyPlugin[] = firstPartyPlugins()): BuiltSchema {
  const describer = new Describer();
  const core = toJsonSchema(configSchema);
  const props = core.properties ?? {};

  const serverEntry = toJsonSchema(serverEntrySchema);
  const serverEntryText = JSON.stringify(serverEntry);
  describer.tree(serverEntry, 'serverEntry');
  // An mcpServers value is a server entry whose name is its key.
  const { required: _name, ...mcpServerEntry } = structuredClone(serverEntry);
  mcpServerEntry.description = DESCRIPTIONS.mcpServerEntry;

  const typesOf = (kind: ConfiguredKind): string[] => firstPartyOf(kind, plugins).map((p) => p.type);
  const branches = (kind: ConfiguredKind): JsonSchema[] => firstPartyOf(kind, plugins).map((p) => pluginBranch(p, describer, serverEntryText));

  // Core keys first, described; then the plugin unions replace the loose `{ type }` refs.
  for (const [key, child] of Object.entries(props)) {
    if (key === 'discovery' || key === 'strategy' || key === 'health') continue;
    describer.tree(child, key);
  }
  const discovery = props.discovery ?? {};
  props.discovery = {
    ...discovery,
    description: DESCRIPTIONS.discovery,
    items: { oneOf: [...branches('discovery'), thirdPartyBranch('discovery', typesOf('discovery'))] },
  };
  const strategy = props.strategy ?? {};
  props.strategy = {
    ...(strategy.default !== undefined ? { default: strategy.default } : {}),
    description: DESCRIPTIONS.strategy,
    oneOf: [...branches('strategy'), thirdPartyBranch('strategy', typesOf('strategy'))],
  };

  // health: the core keys (interval, thresholds) sit beside the plugin's own options.
  const healthCore = toJsonSchema(healthSchema);
  describer.tree(healthCore, 'health');
  const { type: healthType, ...healthCoreProps } = healthCore.properties ?? {};
  const defaultHealthType = healthType?.default;
  const healthBranches = firstPartyOf('health', plugins).map((p) =>
    pluginBranch(p, describer, serverEntryText, { coreProperties: healthCoreProps, typeOptional: p.type === defaultHealthType }),
  );
  props.health = {
    ...(props.health?.default !== undefined ? { default: props.health.default } : {}),
    description: DESCRIPTIONS.health,
    anyOf: [{ const: false }, { oneOf: [...healthBranches, thirdPartyBranch('health', typesOf('health'), healthCoreProps)] }],
  };

  props.mcpServers = { type: 'object', additionalProperties: { $ref: MCP_SERVER_ENTRY_REF } };
  describer.tree(props.mcpServers, 'mcpServers');
  for (const [snake, schema] of Object.entries(patternNameSchemas())) {
    describer.tree(schema, snake);
    props[snake] = schema;
    const camel = camelCaseOf(snake);
    // enableAutoRefresh is already canonical; the others' camelCase forms are accepted aliases.
    if (camel !== snake && !(camel in props)) props[camel] = { ...schema, description: `camelCase spelling of \`${snake}\`.` };
  }

  const schema: JsonSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Switchboard config',
    description: 'Where Switchboard finds MCP servers and how it routes across them. Reference: docs/config-reference.md.',
    type: 'object',
    properties: props,
    additionalProperties: false,
    definitions: { serverEntry, mcpServerEntry },
  };
  return { schema, undocumented: describer.undocumented };
}
