// The context one plugin registration gets: a child container of its own in which the entry's
// options, instance id, logger, clock and config folder resolve (see Tokens), and provide() /
// provideFactory() to bind the implementation there. Core's wiring and the testing kit both build
// contexts with this, so a plugin is tested exactly as it is wired.
import { performance } from 'node:perf_hooks';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type { Logger } from './logger.js';
import { KIND_TOKENS, type PluginContext, type PluginKind, type Provided } from './plugin.js';
import { Tokens } from './tokens.js';

export interface PluginContextOptions {
  options: unknown;
  instanceId: string;
  logger: Logger;
  configDir?: string;
  clock?: () => number;
  /** The router's container (default: a fresh child of tsyringe's root, never the root itself). */
  parent?: DependencyContainer;
}

export interface RegistrationContext<K extends PluginKind> {
  readonly context: PluginContext<K>;
  /** What the plugin provided, built by the container (factories run on first ask). */
  provided(): Provided[K][];
}

export function createPluginContext<K extends PluginKind>(kind: K, o: PluginContextOptions): RegistrationContext<K> {
  const token = KIND_TOKENS[kind];
  const own = (o.parent ?? rootContainer.createChildContainer()).createChildContainer();
  own.register(Tokens.Options, { useValue: o.options });
  own.register(Tokens.InstanceId, { useValue: o.instanceId });
  own.register(Tokens.Logger, { useValue: o.logger });
  own.register(Tokens.Clock, { useValue: o.clock ?? (() => performance.now()) });
  if (o.configDir !== undefined) own.register(Tokens.ConfigDir, { useValue: o.configDir });
  const context: PluginContext<K> = {
    container: own,
    logger: o.logger,
    instanceId: o.instanceId,
    ...(o.configDir !== undefined ? { configDir: o.configDir } : {}),
    provide: (implementation) => void own.register(token, { useValue: implementation }),
    provideFactory: (factory) => void own.register(token, { useFactory: instanceCachingFactory((c) => factory(c)) }),
  };
  return {
    context,
    provided: () => (own.isRegistered(token, false) ? own.resolveAll<Provided[K]>(token) : []),
  };
}
