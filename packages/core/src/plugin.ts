// What a plugin is: a plain object naming what it provides, the core versions it works with, a
// zod schema for its options and a register() that binds its implementation into the router's
// own DI container.
import type { DependencyContainer } from 'tsyringe';
import type { z } from 'zod';
import type { Discoverer, HealthChecker, Strategy, Transport } from './contracts.js';
import type { Logger } from './logger.js';
import { Tokens } from './tokens.js';

export type PluginKind = 'discovery' | 'strategy' | 'transport' | 'health';

export interface Provided {
  discovery: Discoverer;
  strategy: Strategy;
  transport: Transport;
  health: HealthChecker;
}

export interface PluginContext<K extends PluginKind = PluginKind> {
  /**
   * This registration's own child container of the router's (never tsyringe's global one): the
   * entry's Options, InstanceId, Logger, Clock and ConfigDir resolve here (see Tokens).
   */
  readonly container: DependencyContainer;
  readonly logger: Logger;
  /** Unique per registration, for example `mdns#1`; discoverers use it as their id. */
  readonly instanceId: string;
  /**
   * The folder of the config file this router was made from, when there is one: relative paths in
   * plugin options (a servers file) mean relative to it, not to the working directory.
   */
  readonly configDir?: string;
  /** Bind a ready implementation under this plugin kind's token. */
  provide(implementation: Provided[K]): void;
  /**
   * Have the container build the implementation, once, when core first asks for it: the factory
   * resolves what it needs (`c.resolve(Tokens.Options)`, `Tokens.Logger`, `Tokens.Clock`, …) from
   * this entry's container.
   */
  provideFactory(factory: (container: DependencyContainer) => Provided[K]): void;
}

export interface SwitchboardPlugin<K extends PluginKind = PluginKind, S extends z.ZodType = z.ZodType> {
  /** Appears in every error the plugin causes, for example `strategy-round-robin`. */
  readonly name: string;
  readonly kind: K;
  /** The name config uses: `strategy: { type: "round-robin" }`, `discovery: [{ type: "mdns" }]`. */
  readonly type: string;
  /** Semver range of @switchboard/core this plugin was built for. */
  readonly core: string;
  readonly optionsSchema: S;
  register(context: PluginContext<K>, options: z.output<S>): void | Promise<void>;
}

export type AnyPlugin = SwitchboardPlugin<PluginKind, z.ZodType>;

/** Identity with inference, so a plugin's options type follows from its schema. */
export function definePlugin<K extends PluginKind, S extends z.ZodType>(plugin: SwitchboardPlugin<K, S>): SwitchboardPlugin<K, S> {
  return plugin;
}

export const KIND_TOKENS: Record<PluginKind, symbol> = {
  discovery: Tokens.Discoverer,
  strategy: Tokens.Strategy,
  transport: Tokens.Transport,
  health: Tokens.HealthChecker,
};
