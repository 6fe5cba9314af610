// Loads the plugins a config names, validates each one's options against its own schema (every
// problem reported with its config path), and registers them into the router's child container.
import type { DependencyContainer } from 'tsyringe';
import { createPluginContext } from './plugin-context.js';
import { performance } from 'node:perf_hooks';
import type { Discoverer, HealthChecker, Strategy, Transport } from './contracts.js';
import { configError, zodIssues, type ConfigIssue } from './config/validate.js';
import { HEALTH_CORE_KEYS, type PluginRef, type SwitchboardConfig } from './config/schema.js';
import { SwitchboardError } from './errors.js';
import type { Logger } from './logger.js';
import type { AnyPlugin, PluginKind } from './plugin.js';
import type { PluginCatalog } from './plugin-catalog.js';

export interface Wired {
  strategy: Strategy;
  strategyName: string;
  /** One per config.discovery entry, in the same order. */
  discoverers: Discoverer[];
  transports: Map<string, Transport>;
  health?: HealthChecker;
}

interface Pending {
  plugin: AnyPlugin;
  options: unknown;
  instanceId: string;
  /** Its place in the config, for messages. */
  path: string;
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

export async function wirePlugins(config: SwitchboardConfig, catalog: PluginCatalog, container: DependencyContainer, logger: Logger, configDir?: string, clock: () => number = () => performance.now()): Promise<Wired> {
  const { resolved, issues } = await resolvePlugins(config, catalog);
  if (issues.length > 0) throw configError(issues);
  const pending: Pending[] = [...resolved];

  // Transports are chosen per service at connect time, so every installed one is registered.
  await catalog.loadInstalledBuiltins('transport');
  for (const plugin of catalog.all('transport')) pending.push({ plugin, options: plugin.optionsSchema.parse({}), instanceId: plugin.type, path: `transport ${plugin.type}` });

  // One child container per registration, so each implementation is built with, and bound to, its
  // own entry: discoverers[i] is config.discovery[i]'s, whatever other plugins register.
  const provided: Array<{ entry: Pending; implementations: unknown[] }> = [];
  for (const entry of pending) {
    const { plugin, options, instanceId } = entry;
    const registration = createPluginContext(plugin.kind, {
      options,
      instanceId,
      logger: logger.child({ plugin: plugin.name }),
      clock,
      parent: container,
      ...(configDir !== undefined ? { configDir } : {}),
    });
    try {
      await plugin.register(registration.context, options);
      provided.push({ entry, implementations: registration.provided() });
    } catch (error) {
      throw SwitchboardError.from(error, { code: 'PLUGIN_ERROR', plugin: plugin.name, prefix: `plugin '${plugin.name}' failed in register()` });
    }
  }

  const exactlyOne = <T>(entry: Pending, implementations: unknown[], what: string): T => {
    if (implementations.length !== 1) {
      throw new SwitchboardError('PLUGIN_ERROR', `plugin '${entry.plugin.name}' (${entry.path}) must provide exactly one ${what}; it provided ${implementations.length}`, { plugin: entry.plugin.name });
    }
    return implementations[0] as T;
  };
  const of = (kind: PluginKind) => provided.filter((p) => p.entry.plugin.kind === kind);
  const strategyEntry = of('strategy')[0]!;
  const strategy = exactlyOne<Strategy>(strategyEntry.entry, strategyEntry.implementations, 'Strategy');
  const healthEntry = of('health')[0];
  const health = healthEntry ? exactlyOne<HealthChecker>(healthEntry.entry, healthEntry.implementations, 'HealthChecker') : undefined;
  const discoverers = of('discovery').map((p) => exactlyOne<Discoverer>(p.entry, p.implementations, 'Discoverer'));
  const transports = new Map<string, Transport>();
  for (const p of of('transport')) for (const t of p.implementations as Transport[]) for (const kind of t.kinds) transports.set(kind, t);
  return { strategy, strategyName: config.strategy.type, discoverers, transports, ...(health ? { health } : {}) };
}
