// Loads the plugins a config names, validates each one's options against its own schema (every
// problem reported with its config path), and registers them into the router's child container.
import type { DependencyContainer } from 'tsyringe';
import type { Discoverer, HealthChecker, Strategy, Transport } from './contracts.js';
import { configError, zodIssues, type ConfigIssue } from './config/validate.js';
import { HEALTH_CORE_KEYS, type PluginRef, type SwitchboardConfig } from './config/schema.js';
import { SwitchboardError } from './errors.js';
import type { Logger } from './logger.js';
import { KIND_TOKENS, type AnyPlugin, type PluginContext, type PluginKind } from './plugin.js';
import type { PluginCatalog } from './plugin-catalog.js';
import { Tokens } from './tokens.js';

export interface Wired {
  strategy: Strategy;
  strategyName: string;
  discoverers: Discoverer[];
  transports: Map<string, Transport>;
  health?: HealthChecker;
}

interface Pending {
  plugin: AnyPlugin;
  options: unknown;
  instanceId: string;
}

function optionsOf(ref: PluginRef, coreKeys: readonly string[] = ['type']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ref)) if (!coreKeys.includes(k)) out[k] = v;
  return out;
}

/** Validate one config entry's plugin options (for a reload), with every problem's path. */
export async function parsePluginOptions(catalog: PluginCatalog, kind: PluginKind, ref: PluginRef, path: string): Promise<{ options?: unknown; issues: ConfigIssue[] }> {
  let plugin: AnyPlugin;
  try {
    plugin = await catalog.require(kind, ref.type);
  } catch (error) {
    return { issues: [{ path: `${path}.type`, message: (error as Error).message }] };
  }
  const parsed = plugin.optionsSchema.safeParse(optionsOf(ref));
  return parsed.success ? { options: parsed.data, issues: [] } : { issues: zodIssues(parsed.error, path) };
}

/** Plugin lookup failures that are the config's fault (reported as config problems, not crashes). */
const PLUGIN_CONFIG_ERRORS = new Set(['PLUGIN_NOT_FOUND', 'PLUGIN_INVALID', 'PLUGIN_CORE_MISMATCH', 'PLUGIN_DUPLICATE']);

/** The parts of a config that name plugins. */
export type PluginSelection = Pick<SwitchboardConfig, 'plugins' | 'discovery' | 'strategy' | 'health'>;

export interface ResolvedPlugin {
  plugin: AnyPlugin;
  /** Options parsed by the plugin's own schema. */
  options: unknown;
  /** `static#0`, `mdns#1`: one per config entry of a type. */
  instanceId: string;
  /** The entry's config path, `discovery[0]`. */
  path: string;
}

/**
 * Load the packages a config lists and check every plugin entry's options against its plugin's
 * schema, collecting every problem with its path. Validation (`switchboard validate`) and wiring
 * (initialize) share this, so they cannot disagree about a config.
 */
export async function resolvePlugins(config: PluginSelection, catalog: PluginCatalog): Promise<{ resolved: ResolvedPlugin[]; issues: ConfigIssue[] }> {
  const issues: ConfigIssue[] = [];
  const isConfigFault = (error: unknown): error is SwitchboardError => SwitchboardError.is(error) && PLUGIN_CONFIG_ERRORS.has(error.code);
  for (const [i, pkg] of config.plugins.entries()) {
    try {
      await catalog.loadPackage(pkg);
    } catch (error) {
      if (!isConfigFault(error)) throw error;
      issues.push({ path: `plugins[${i}]`, message: error.message });
    }
  }
  const resolved: ResolvedPlugin[] = [];
  const counters = new Map<string, number>();
  const resolve = async (kind: PluginKind, ref: PluginRef, path: string, coreKeys?: readonly string[]): Promise<void> => {
    let plugin: AnyPlugin;
    try {
      plugin = await catalog.require(kind, ref.type);
    } catch (error) {
      if (!isConfigFault(error)) throw error;
      issues.push({ path: `${path}.type`, message: error.message });
      return;
    }
    const parsed = plugin.optionsSchema.safeParse(optionsOf(ref, coreKeys));
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, path).map((i) => ({ ...i, message: `${i.message} (plugin ${plugin.name})` })));
      return;
    }
    const n = counters.get(ref.type) ?? 0;
    counters.set(ref.type, n + 1);
    resolved.push({ plugin, options: parsed.data, instanceId: `${ref.type}#${n}`, path });
  };
  for (const [i, ref] of config.discovery.entries()) await resolve('discovery', ref, `discovery[${i}]`);
  await resolve('strategy', config.strategy, 'strategy');
  if (config.health) await resolve('health', config.health, 'health', HEALTH_CORE_KEYS);
  return { resolved, issues };
}

export async function wirePlugins(config: SwitchboardConfig, catalog: PluginCatalog, container: DependencyContainer, logger: Logger, configDir?: string): Promise<Wired> {
  const { resolved, issues } = await resolvePlugins(config, catalog);
  if (issues.length > 0) throw configError(issues);
  const pending: Pending[] = [...resolved];

  // Transports are chosen per service at connect time, so every installed one is registered.
  await catalog.loadInstalledBuiltins('transport');
  for (const plugin of catalog.all('transport')) pending.push({ plugin, options: plugin.optionsSchema.parse({}), instanceId: plugin.type });

  for (const { plugin, options, instanceId } of pending) {
    const context: PluginContext = {
      container,
      logger: logger.child({ plugin: plugin.name }),
      instanceId,
      ...(configDir !== undefined ? { configDir } : {}),
      provide: (implementation) => {
        container.register(KIND_TOKENS[plugin.kind], { useValue: implementation });
      },
    };
    try {
      await plugin.register(context, options);
    } catch (error) {
      throw SwitchboardError.from(error, { code: 'PLUGIN_ERROR', plugin: plugin.name, prefix: `plugin '${plugin.name}' failed in register()` });
    }
  }

  const resolveAll = <T>(token: symbol): T[] => (container.isRegistered(token) ? container.resolveAll<T>(token) : []);
  const strategies = resolveAll<Strategy>(Tokens.Strategy);
  const strategy = strategies.at(-1);
  if (!strategy) throw new SwitchboardError('PLUGIN_ERROR', `strategy plugin '${config.strategy.type}' registered no Strategy`, { plugin: config.strategy.type });
  const transports = new Map<string, Transport>();
  for (const t of resolveAll<Transport>(Tokens.Transport)) for (const kind of t.kinds) transports.set(kind, t);
  const healthCheckers = resolveAll<HealthChecker>(Tokens.HealthChecker);
  return {
    strategy,
    strategyName: config.strategy.type,
    discoverers: resolveAll<Discoverer>(Tokens.Discoverer),
    transports,
    health: healthCheckers.at(-1),
  };
}
