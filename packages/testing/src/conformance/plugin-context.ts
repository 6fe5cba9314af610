// A PluginContext for tests: `provide` captures what a plugin's register() binds, so a test can
// register a plugin exactly as core does and then exercise the implementation it handed over.
import { silentLogger } from '@switchboard/core';
import type { DependencyContainer, Logger, PluginKind, PluginContext, Provided } from '@switchboard/core';

export interface TestPluginContext<K extends PluginKind = PluginKind> extends PluginContext<K> {
  /** Every implementation register() passed to provide(), in order. */
  readonly provided: Provided[K][];
}

export interface TestPluginContextOptions {
  /** Default `test#0`; discoverers use it as their id (the `source` of what they report). */
  instanceId?: string;
  logger?: Logger;
  /**
   * A container to hand the plugin. Default: one that throws on any use, naming the member, because
   * @switchboard/testing cannot build a real one: core re-exports only the DependencyContainer type,
   * and tsyringe is core's dependency, not this package's. Pass the app's child container to test a
   * plugin that registers on it directly.
   */
  container?: DependencyContainer;
}

export function createTestPluginContext<K extends PluginKind = PluginKind>(options: TestPluginContextOptions = {}): TestPluginContext<K> {
  const instanceId = options.instanceId ?? 'test#0';
  const provided: Provided[K][] = [];
  return {
    container: options.container ?? throwingContainer(instanceId),
    logger: options.logger ?? silentLogger,
    instanceId,
    provided,
    provide(implementation) {
      provided.push(implementation);
    },
  };
}

/** Fails loudly rather than handing over a container that half works. */
function throwingContainer(instanceId: string): DependencyContainer {
  return new Proxy({} as DependencyContainer, {
    get(_target, property) {
      // Promise resolution probes `then`; answering undefined keeps `await ctx.container` harmless.
      if (property === 'then') return undefined;
      throw new Error(
        `${instanceId}: createTestPluginContext() has no DI container (tried container.${String(property)}); pass { container } to give it one`,
      );
    },
  });
}
