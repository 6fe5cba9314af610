// Checks a config as far as the router would before starting anything: the base schema (parseConfig)
// and then each discovery/strategy/health entry's options against its plugin's own schema. Core does
// the second step only inside initialize() (wirePlugins, not exported), so this mirrors it: same
// catalog, same option keys, same issue paths, but register() is never called and nothing starts.
import {
  HEALTH_CORE_KEYS,
  parseConfig,
  PluginCatalog,
  SwitchboardError,
  zodIssues,
  type ConfigIssue,
  type PluginKind,
  type PluginRef,
  type SwitchboardConfig,
} from '@switchboard/core';
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
}

// Errors a plugin lookup can raise that are the config's fault rather than a crash.
const PLUGIN_CONFIG_ERRORS = new Set(['PLUGIN_NOT_FOUND', 'PLUGIN_INVALID', 'PLUGIN_CORE_MISMATCH', 'PLUGIN_DUPLICATE']);

function optionsOf(ref: PluginRef, coreKeys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ref)) if (!coreKeys.includes(k)) out[k] = v;
  return out;
}

function isConfigError(error: unknown): error is SwitchboardError {
  return SwitchboardError.is(error) && PLUGIN_CONFIG_ERRORS.has(error.code);
}

export async function checkConfig(raw: unknown, options: CheckOptions = {}): Promise<ConfigCheck> {
  let config: SwitchboardConfig;
  try {
    config = parseConfig(raw, options.source);
  } catch (error) {
    if (SwitchboardError.is(error) && error.code === 'CONFIG_INVALID') return { valid: false, problems: (error.details as ConfigIssue[] | undefined) ?? [{ path: '(root)', message: error.message }] };
    throw error;
  }

  const problems: ConfigIssue[] = [];
  const catalog = new PluginCatalog(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {});
  for (const plugin of builtinPlugins()) catalog.add(plugin);
  for (const [i, pkg] of config.plugins.entries()) {
    try {
      await catalog.loadPackage(pkg);
    } catch (error) {
      if (!isConfigError(error)) throw error;
      problems.push({ path: `plugins[${i}]`, message: error.message });
    }
  }

  const parsedStatic: unknown[] = [];
  const check = async (kind: PluginKind, ref: PluginRef, path: string, coreKeys: readonly string[] = ['type']): Promise<void> => {
    let plugin;
    try {
      plugin = await catalog.require(kind, ref.type);
    } catch (error) {
      if (!isConfigError(error)) throw error;
      problems.push({ path: `${path}.type`, message: error.message });
      return;
    }
    const parsed = plugin.optionsSchema.safeParse(optionsOf(ref, coreKeys));
    if (!parsed.success) problems.push(...zodIssues(parsed.error, path).map((i) => ({ ...i, message: `${i.message} (plugin ${plugin.name})` })));
    else if (kind === 'discovery' && ref.type === 'static') parsedStatic.push(parsed.data);
  };
  for (const [i, ref] of config.discovery.entries()) await check('discovery', ref, `discovery[${i}]`);
  await check('strategy', config.strategy, 'strategy');
  if (config.health) await check('health', config.health, 'health', HEALTH_CORE_KEYS);
  // Core leaves `gateway:` to the gateway package; check it here too, or validate would pass a file
  // that `switchboard serve` then refuses.
  if (config.gateway !== undefined) {
    const gateway = gatewayConfigSchema.safeParse(config.gateway);
    if (!gateway.success) problems.push(...zodIssues(gateway.error, 'gateway'));
  }
  if (problems.length > 0) return { valid: false, problems };

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
