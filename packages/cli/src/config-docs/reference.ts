// Renders docs/config-reference.md from the generated JSON Schema, so the reference, the schema
// editors use and the validator can never disagree about a key, its type or its default.
import { configSchema, HEALTH_CORE_KEYS } from '@switchboard/core';
import { camelCaseOf } from './descriptions.js';
import { SERVER_ENTRY_REF, MCP_SERVER_ENTRY_REF, type JsonSchema } from './json-schema.js';
import { CONFIG_SCHEMA_URL } from './schema-url.js';

const SECTIONS = new Set(['discovery', 'strategy', 'health']);
const PATTERN_NAMES = [
  'routing_strategy',
  'load_balancing_strategy',
  'max_failover_attempts',
  'discovery_interval_seconds',
  'discovery_timeout',
  'enable_auto_refresh',
  'health_check_interval',
  'initial_servers',
  'enable_performance_tracking',
  'prefer_low_latency',
  'enable_service_mesh',
];

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (value: unknown): string => `\`${JSON.stringify(value)}\``;

export function typeOf(node: JsonSchema): string {
  if (node.$ref === SERVER_ENTRY_REF) return '[server entry](#server-entries)';
  if (node.$ref === MCP_SERVER_ENTRY_REF) return '[server entry](#server-entries) without `name`';
  if (node.const !== undefined) return code(node.const);
  if (node.enum) return node.enum.map(code).join(' | ');
  const alts = node.anyOf ?? node.oneOf;
  if (alts) return alts.map(typeOf).join(' | ');
  switch (node.type) {
    case 'array': {
      const item = node.items ? typeOf(node.items) : 'any';
      return item.includes(' ') ? `list of ${item}` : `${item}[]`;
    }
    case 'object':
      return typeof node.additionalProperties === 'object' && !node.properties ? `map of ${typeOf(node.additionalProperties)}` : 'object';
    case 'integer':
    case 'number':
      return [node.type, bounds(node)].filter(Boolean).join(' ');
    case 'string':
      return typeof node.format === 'string' ? `string (${node.format})` : 'string';
    case undefined:
      return 'any';
    default:
      return node.type;
  }
}

function bounds(node: JsonSchema): string {
  const parts: string[] = [];
  if (typeof node.minimum === 'number') parts.push(`≥ ${node.minimum}`);
  if (typeof node.exclusiveMinimum === 'number') parts.push(`> ${node.exclusiveMinimum}`);
  if (typeof node.maximum === 'number') parts.push(`≤ ${node.maximum}`);
  return parts.join(', ');
}

function defaultOf(node: JsonSchema, required: boolean): string {
  if (node.default === undefined) return required ? '**required**' : '';
  if (typeof node.default === 'object' && node.default !== null && !Array.isArray(node.default) && node.properties) return 'see below';
  return code(node.default);
}

/** One row per key, nested objects flattened (`backoff.maxMs`), maps as `<name>`. */
function rowsOf(node: JsonSchema, prefix = '', skip: (key: string) => boolean = () => false): Row[] {
  const rows: Row[] = [];
  const required = new Set(node.required ?? []);
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (skip(key)) continue;
    const path = `${prefix}${key}`;
    rows.push({ key: path, type: typeOf(child), default: defaultOf(child, required.has(key)), description: child.description ?? '' });
    if (child.properties) rows.push(...rowsOf(child, `${path}.`));
    const map = child.additionalProperties;
    if (typeof map === 'object' && map.properties) rows.push(...rowsOf(map, `${path}.<name>.`));
  }
  return rows;
}

function table(rows: Row[]): string {
  if (rows.length === 0) return 'No options.\n';
  const lines = ['| key | type | default | description |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| \`${r.key}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`);
  return lines.join('\n') + '\n';
}

/** The `### type` subsections of a plugin union; `coreKeys` are documented once, above them. */
function pluginSections(branches: JsonSchema[], coreKeys: ReadonlySet<string> = new Set()): string {
  const out: string[] = [];
  for (const branch of branches) {
    const type = branch.properties?.type?.const;
    if (typeof type !== 'string') {
      out.push(`Any other \`type\` names a third-party plugin from a package listed under \`plugins\`; its own schema checks its options at start-up.\n`);
      continue;
    }
    out.push(`### \`${type}\`\n`);
    if (branch.description) out.push(`${branch.description}\n`);
    out.push(table(rowsOf(branch, '', (k) => k === 'type' || coreKeys.has(k))));
  }
  return out.join('\n');
}

export function renderConfigReference(schema: JsonSchema): string {
  const props = schema.properties ?? {};
  // enableAutoRefresh is both canonical and the camelCase of a pattern name: it stays a top-level key.
  const canonical = new Set(Object.keys(configSchema.shape));
  const patternKeys = new Set(PATTERN_NAMES.flatMap((n) => [n, camelCaseOf(n)]).filter((k) => !canonical.has(k)));
  const discovery = props.discovery?.items?.oneOf ?? [];
  const strategy = props.strategy?.oneOf ?? [];
  const healthUnion = props.health?.anyOf?.find((alt) => alt.oneOf)?.oneOf ?? [];
  const healthDefaultBranch = healthUnion.find((b) => b.properties?.type?.default !== undefined) ?? healthUnion[0] ?? {};
  const healthCoreKeys: ReadonlySet<string> = new Set(HEALTH_CORE_KEYS.filter((k) => k !== 'type'));
  const serverEntry = schema.definitions?.serverEntry ?? {};

  const patternRows = PATTERN_NAMES.filter((n) => props[n]).map((n) => {
    const node = props[n] ?? {};
    const camel = camelCaseOf(n);
    return `| \`${n}\` | ${camel !== n && props[camel] ? `\`${camel}\`` : ''} | ${cell(typeOf(node))} | ${cell(node.description ?? '')} |`;
  });

  return `<!-- Generated by scripts/gen-config-docs.mjs from the zod schemas; edit those (or the descriptions table in packages/cli/src/config-docs/descriptions.ts) and run: pnpm build && node scripts/gen-config-docs.mjs -->
# Config reference

Every key a Switchboard config file may hold, with its type and default. [Configuration](configuration.md)
explains how the pieces fit together; this page is generated from the same schemas that validate a config.

Check a file with \`switchboard validate --config switchboard.yaml\`; start one with \`switchboard init\`.

## Editor completion

[\`switchboard.schema.json\`](switchboard.schema.json) is the JSON Schema (draft-07) of a config file,
including each first-party plugin's options. Editors using the YAML language server (VS Code's YAML extension,
Neovim, JetBrains, Helix) complete and check a YAML config when its first line names the schema:

\`\`\`yaml
# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}
\`\`\`

\`switchboard init\` writes that line. A path relative to the YAML file (\`$schema=./switchboard.schema.json\`) works
too, for a copy of the schema kept beside the config. For a JSON config, map the file to the schema in
the editor's settings (VS Code: \`json.schemas\`), because Switchboard rejects unknown top-level keys such as \`$schema\`.

## Top-level keys

${table(rowsOf(schema, '', (k) => SECTIONS.has(k) || patternKeys.has(k)))}
## \`discovery\`

${props.discovery?.description ?? ''} The options by type:

${pluginSections(discovery)}
## \`strategy\`

${props.strategy?.description ?? ''} Default: \`${JSON.stringify(props.strategy?.default)}\`.

${pluginSections(strategy)}
## \`health\`

${props.health?.description ?? ''} Default: \`${JSON.stringify(props.health?.default)}\`. \`type\` defaults to
\`${String(healthDefaultBranch.properties?.type?.default ?? '')}\`; these keys apply whatever the type:

${table(rowsOf(healthDefaultBranch, '', (k) => !healthCoreKeys.has(k)))}
${pluginSections(healthUnion, healthCoreKeys)}
## Server entries

${serverEntry.description ?? ''} Used by \`static\` servers, \`initial_servers\`, etcd values and (mapped) mDNS and
registry records. In \`mcpServers\` the key is the name.

${table(rowsOf(serverEntry))}
## The pattern's names

Accepted and mapped onto the keys above, in snake_case or camelCase. Giving both \`strategy\` and
\`routing_strategy\` is an error.

| key | also | type | meaning |
|---|---|---|---|
${patternRows.join('\n')}
`;
}
