// Checks a config as far as the router would before starting anything: the base schema (parseConfig)
// and then each discovery/strategy/health entry's options against its plugin's own schema, through
// core's own resolvePlugins (the step initialize() runs), but register() is never called and
// nothing starts.
import {
  healthSchema,
  mapPatternNames,
  parseConfig,
  PluginCatalog,
  pluginRefSchema,
  resolvePlugins,
  SwitchboardError,
  zodIssues,
  type ConfigIssue,
  type PluginRef,
  type PluginSelection,
  type SwitchboardConfig,
} from '@switchboard/core';
import { readServersFile, resolveServersFile } from '@switchboard/discovery-static';
import { gatewayConfigSchema } from '@switchboard/gateway';
import { builtinPlugins } from './plugins.js';

export interface ConfigSummary {
  /** Discovery types, in config order. */
  discovery: string[];
  strategy: string;
  health: string | false;
  /** Names of the servers written in the config itself (static servers, mcpServers, initial_servers). */
  servers: string[];
  /** MCP client config files static discovery reads (their servers are known only at start-up). */
  files: string[];
}

export type ConfigCheck = { valid: true; summary: ConfigSummary } | { valid: false; problems: ConfigIssue[] };

export interface CheckOptions {
  /** Named in base-schema messages. */
  source?: string;
  /** Where packages under `plugins` are resolved from (the config's directory, then the cwd). */
  resolveFrom?: readonly string[];
  /** The config file's folder: what a relative servers `file:` is relative to. */
  configDir?: string;
}

/**
 * The plugin-naming parts of a config that failed the base schema, as far as they are well formed:
 * their options are still checked, so every problem is reported in one pass rather than a second
 * set appearing only after the first is fixed.
 */
function wellFormedSelection(raw: unknown): PluginSelection {
  const { config } = mapPatternNames(raw ?? {});
  const c = (typeof config === 'object' && config !== null ? config : {}) as Record<string, unknown>;
  const ref = (v: unknown): PluginRef | undefined => {
    const r = pluginRefSchema.safeParse(v);
    return r.success ? r.data : undefined;
  };
  const health = c.health === undefined || c.health === false ? undefined : healthSchema.safeParse(c.health);
  return {
    plugins: Array.isArray(c.plugins) && c.plugins.every((p) => typeof p === 'string') ? (c.plugins as string[]) : [],
    discovery: Array.isArray(c.discovery) ? c.discovery.map(ref).filter((r): r is PluginRef => r !== undefined) : [],
    strategy: ref(c.strategy ?? { type: 'first-match' }) ?? { type: 'first-match' },
    health: health?.success ? (health.data as SwitchboardConfig['health']) : false,
  };
}

function newCatalog(options: CheckOptions): PluginCatalog {
  const catalog = new PluginCatalog(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {});
  for (const plugin of builtinPlugins()) catalog.add(plugin);
  return catalog;
}

export async function checkConfig(raw: unknown, options: CheckOptions = {}): Promise<ConfigCheck> {
  let config: SwitchboardConfig;
  try {
    config = parseConfig(raw, options.source);
  } catch (error) {
    if (!SwitchboardError.is(error) || error.code !== 'CONFIG_INVALID') throw error;
    const base = (error.details as ConfigIssue[] | undefined) ?? [{ path: '(root)', message: error.message }];
    const { issues } = await resolvePlugins(wellFormedSelection(raw), newCatalog(options));
    const seen = new Set(base.map((i) => i.path));
    return { valid: false, problems: [...base, ...issues.filter((i) => !seen.has(i.path))] };
  }

  const { resolved, issues: problems } = await resolvePlugins(config, newCatalog(options));
  // Core leaves `gateway:` to the gateway package; check it here too, or validate would pass a file
  // that `switchboard serve` then refuses.
  if (config.gateway !== undefined) {
    const gateway = gatewayConfigSchema.safeParse(config.gateway);
    if (!gateway.success) problems.push(...zodIssues(gateway.error, 'gateway'));
  }
  const staticEntries = resolved.filter((r) => r.plugin.kind === 'discovery' && r.plugin.type === 'static');
  // A servers file that is missing or holds unusable entries is a problem now, not an empty
  // discovery later.
  for (const entry of staticEntries) {
    const file = (entry.options as { file?: string }).file;
    if (!file) continue;
    const read = await readServersFile(resolveServersFile(file, options.configDir));
    if ('error' in read) problems.push({ path: `${entry.path}.file`, message: read.error });
    else for (const message of read.problems) problems.push({ path: `${entry.path}.file`, message });
  }
  if (problems.length > 0) return { valid: false, problems };
  const parsedStatic = staticEntries.map((r) => r.options);
  return { valid: true, summary: summarize(config, parsedStatic) };
}

function summarize(config: SwitchboardConfig, parsedStatic: unknown[]): ConfigSummary {
  const servers: string[] = [];
  const files: string[] = [];
  for (const options of parsedStatic as Array<{ servers?: Array<{ name: string }>; file?: string }>) {
    for (const s of options.servers ?? []) servers.push(s.name);
    if (options.file) files.push(options.file);
  }
  return {
    discovery: config.discovery.map((d) => d.type),
    strategy: config.strategy.type,
    health: config.health ? config.health.type : false,
    servers,
    files,
  };
}

export function summaryLine(s: ConfigSummary): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const sources = `${plural(s.discovery.length, 'discovery source')}${s.discovery.length ? ` (${s.discovery.join(', ')})` : ''}`;
  const listed = `${plural(s.servers.length, 'server')} listed${s.servers.length ? ` (${s.servers.join(', ')})` : ''}`;
  const files = s.files.length ? `, plus the servers in ${s.files.join(', ')}` : '';
  return `${sources}, strategy ${s.strategy}, health ${s.health || 'off'}, ${listed}${files}`;
}
