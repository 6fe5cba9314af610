// The first-party plugins whose options the JSON Schema, the reference and `switchboard validate`
// know, grouped by the config section that names them. Built from the same plugin objects the CLI
// hands to the router, so a plugin's schema is never copied.
import type { AnyPlugin, PluginKind } from '@switchboard/core';
import { builtinPlugins } from '../plugins.js';

/** The kinds config names by `type` (transports are chosen per server, not configured). */
export type ConfiguredKind = Exclude<PluginKind, 'transport'>;

export const CONFIGURED_KINDS: readonly ConfiguredKind[] = ['discovery', 'strategy', 'health'];

export function firstPartyPlugins(): AnyPlugin[] {
  // builtinPlugins() is typed unknown[] because the router validates plugin shapes itself.
  return builtinPlugins() as AnyPlugin[];
}

export function firstPartyOf(kind: ConfiguredKind, plugins: readonly AnyPlugin[] = firstPartyPlugins()): AnyPlugin[] {
  return plugins.filter((p) => p.kind === kind);
}
