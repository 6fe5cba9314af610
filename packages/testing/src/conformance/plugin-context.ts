// A PluginContext for tests: `provide` captures what a plugin's register() binds, so a test can
// register a plugin exactly as core does and then exercise the implementation it handed over.
import { createPluginContext, silentLogger } from '@switchboard/core';
import type { DependencyContainer, Logger, PluginKind, PluginContext, Provided } from '@switchboard/core';

export interface TestPluginContext<K extends PluginKind = PluginKind> extends PluginContext<K> {
  /** Every implementation register() passed to provide(), in order. */
  readonly provided: Provided[K][];
}

export interface TestPluginContextOptions {
  /** Default `test#0`; discoverers use it as their id (the `source` of what they report). */
  instanceId?: string;
  logger?: Logger;
  /** The parent container (default: a fresh child of the root, as a router makes). */
  container?: DependencyContainer;
}

export function createTestPluginContext<K extends PluginKind = PluginKind>(options: TestPluginContextOptions & { kind?: K; options?: unknown } = {}): TestPluginContext<K> {
  const instanceId = options.instanceId ?? 'test#0';
  // Core's own registration context: a real child container in which the entry's options, id,
  // logger and clock resolve, as in a router. `provided` reads what the plugin bound there.
  const registration = createPluginContext((options.kind ?? 'discovery') as K, {
    options: options.options,
    instanceId,
    logger: options.logger ?? silentLogger,
    ...(options.container ? { parent: options.container } : {}),
  });
  return {
    ...registration.context,
    get provided() {
      return registration.provided();
    },
  };
}
