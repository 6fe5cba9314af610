// The generated config JSON Schema and reference: committed copies are fresh, every key is
// documented, the schema agrees with parseConfig, and every config example in the docs is valid.
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '@switchboard/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateConfigDocs, type JsonSchema } from '../packages/cli/src/config-docs/index.js';
import { initTemplate } from '../packages/cli/src/commands/init-template.js';
import { checkConfig } from '../packages/cli/src/config-check.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Validator {
  (data: unknown): boolean;
  errors?: Array<{ instancePath: string; message?: string }> | null;
}
interface AjvInstance {
  compile(schema: object): Validator;
}
type AjvClass = new (options: object) => AjvInstance;

// ajv (a dependency of the MCP SDK) and yaml (of core) are not root dependencies, so each is
// required from the root if it can see it, else from the package that depends on it.
function requireVia(name: string, dependent: string): unknown {
  try {
    return createRequire(join(ROOT, 'package.json'))(name);
  } catch {
    return createRequire(join(realpathSync(join(ROOT, 'node_modules', dependent)), 'package.json'))(name);
  }
}
const unwrap = <T>(m: unknown): T => ((m as { default?: T }).default ?? m) as T;

function loadAjv(): { Ajv: AjvClass; addFormats: (ajv: AjvInstance) => void } {
  const sdk = '@modelcontextprotocol/sdk';
  return { Ajv: unwrap<AjvClass>(requireVia('ajv', sdk)), addFormats: unwrap<(ajv: AjvInstance) => void>(requireVia('ajv-formats', sdk)) };
}
const { parse: parseYaml } = requireVia('yaml', '@switchboard/core') as { parse: (text: string) => unknown };

/** YAML code blocks in README.md and docs/*.md that are Switchboard configs. */
function docExamples(): Array<{ where: string; config: unknown }> {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const out: Array<{ where: string; config: unknown }> = [];
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(/^```(?:yaml|yml)\n([\s\S]*?)^```/gm)) {
      const config: unknown = parseYaml(match[1] ?? '');
      const looksLikeConfig =
        typeof config === 'object' && config !== null && ['discovery', 'strategy', 'initial_servers', 'mcpServers'].some((k) => k in config);
      const line = text.slice(0, match.index).split('\n').length;
      if (looksLikeConfig) out.push({ where: `${file}:${line}`, config });
    }
  }
  return out;
}

const generated = generateConfigDocs();
const schema = JSON.parse(generated.files['docs/switchboard.schema.json'] ?? '{}') as JsonSchema;
let validate: Validator;

function schemaErrors(config: unknown): string[] {
  return validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

beforeAll(() => {
  const { Ajv, addFormats } = loadAjv();
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  validate = ajv.compile(schema); // throws if the generated schema is not valid draft-07
});

describe('generated config docs', () => {
  it('committed docs/switchboard.schema.json and docs/config-reference.md are up to date', () => {
    for (const [path, text] of Object.entries(generated.files)) {
      let committed = '';
      try {
        committed = readFileSync(join(ROOT, path), 'utf8');
      } catch {
        // missing counts as stale
      }
      expect(committed === text, `${path} is stale: run pnpm build && node scripts/gen-config-docs.mjs`).toBe(true);
    }
  });

  it('documents every key', () => {
    expect(generated.undocumented, 'add these paths to packages/cli/src/config-docs/descriptions.ts').toEqual([]);
  });

  it('lists every first-party plugin with its options and the pattern names', () => {
    const reference = generated.files['docs/config-reference.md'] ?? '';
    for (const heading of ['### `static`', '### `mdns`', '### `etcd`', '### `registry`', '### `least-loaded`', '### `latency`', '### `ping`'])
      expect(reference).toContain(heading);
    expect(reference).toContain('| `choiceCount` | integer ≥ 2 | `2` |');
    expect(reference).toContain('| `failover.maxAttempts` | integer ≥ 0 | `3` |');
    expect(reference).toContain('| `routing_strategy` | `routingStrategy` |');
    expect(reference).toContain('yaml-language-server: $schema=');
  });
});

describe('the JSON Schema agrees with parseConfig and the plugins', () => {
  const accepted: Array<[string, unknown]> = [
    ['an empty config', {}],
    ['a static server list', { discovery: [{ type: 'static', servers: [{ name: 'a', url: 'http://127.0.0.1:1/mcp' }] }] }],
    ['mdns and etcd options', { discovery: [{ type: 'mdns', interface: '127.0.0.1' }, { type: 'etcd', prefix: '/x/' }] }],
    ['a strategy option', { strategy: { type: 'least-loaded', choiceCount: 3 } }],
    ['health with the type left out', { health: { intervalMs: 1000 } }],
    ['health off', { health: false }],
    ['a third-party discoverer', { discovery: [{ type: 'consul', address: 'x' }], plugins: ['@acme/consul'] }],
    ['the pattern names', { routing_strategy: 'load_balance', load_balancing_strategy: 'least_loaded', max_failover_attempts: 2, initial_servers: [{ name: 'c', command: 'node' }] }],
    ['camelCase pattern names', { routingStrategy: 'performance', healthCheckInterval: 5 }],
    ['an MCP client config', { mcpServers: { fs: { command: 'npx', args: ['-y', 'fs'] } } }],
  ];
  it.each(accepted)('accepts %s', async (_, config) => {
    expect(() => parseConfig(config)).not.toThrow();
    expect(schemaErrors(config)).toEqual([]);
    // A third-party package cannot load here; everything else must pass the plugin checks too.
    if (!('plugins' in (config as object))) expect(await checkConfig(config)).toMatchObject({ valid: true });
  });

  const rejected: Array<[string, unknown]> = [
    ['an unknown top-level key', { discovery: [], fastest: true }],
    ['a negative maxAttempts', { failover: { maxAttempts: -1 } }],
    ['an unknown mdns option', { discovery: [{ type: 'mdns', bogus: 1 }] }],
    ['a too small choiceCount', { strategy: { type: 'least-loaded', choiceCount: 1 } }],
    ['an option on an option-less strategy', { strategy: { type: 'round-robin', weights: {} } }],
    ['a server without a name', { discovery: [{ type: 'static', servers: [{ url: 'http://x/mcp' }] }] }],
    ['an unknown routing_strategy', { routing_strategy: 'fastest' }],
    ['an entry without type', { discovery: [{ servers: [] }] }],
  ];
  it.each(rejected)('rejects %s', async (_, config) => {
    expect(schemaErrors(config)).not.toEqual([]);
    expect(await checkConfig(config)).toMatchObject({ valid: false });
  });

  it('accepts the starter config `switchboard init` writes', () => {
    const config: unknown = parseYaml(initTemplate());
    expect(schemaErrors(config)).toEqual([]);
  });
});

describe('config examples in the docs', () => {
  const examples = docExamples();
  it('finds examples to check', () => {
    expect(examples.length).toBeGreaterThan(0);
  });
  it.each(examples.map((e) => [e.where, e.config] as const))('%s is valid', (where, config) => {
    expect(() => parseConfig(config, where)).not.toThrow();
    expect(schemaErrors(config), where).toEqual([]);
  });
});
