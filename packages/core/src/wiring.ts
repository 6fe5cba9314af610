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

export async function wirePlugins(config: SwitchboardConfig, catalog: PluginCatalog, container: DependencyContainer, logger: Logger, configDir?: string): Promise<Wired> {
  const issues: ConfigIssue[] = [];
  for (const [i, pkg] of config.plugins.entries()) {
    try {
      await catalog.loadPackage(pkg);
    } catch (error) {
      if (!SwitchboardError.is(error) || error.code !== 'PLUGIN_NOT_FOUND') throw error;
      issues.push({ path: `plugins[${i}]`, message: error.message });
    }
  }

  const pending: Pending[] = [];
  const counters = new Map<string, number>();
  const resolve = async (kind: PluginKind, ref: PluginRef, path: string, coreKeys?: readonly string[]): Promise<void> => {
    let plugin: AnyPlugin;
    try {
      plugin = await catalog.require(kind, ref.type);
    } catch (error) {
      if (!SwitchboardError.is(error) || (error.code !== 'PLUGIN_NOT_FOUND' && error.code !== 'PLUGIN_INVALID')) throw error;
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
    pending.push({ plugin, options: parsed.data, instanceId: `${ref.type}#${n}` });
  };

  for (const [i, ref] of config.discovery.entries()) await resolve('discovery', ref, `discovery[${i}]`);
  await resolve('strategy', config.strategy, 'strategy');
  if (config.health) await resolve('health', config.health, 'health', HEALTH_CORE_KEYS);
  if (issues.length > 0) throw configError(issues);

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
