// Builds a router from a config file for the one-shot commands (discover, call, health).
import { dirname, resolve } from 'node:path';
import { createRouter, parseConfig, readConfigFile, type Router } from '@switchboard/core';
import { builtinPlugins } from './plugins.js';
import { UsageError } from './io.js';
import { observersFor } from './observers.js';

export async function routerFromConfig(path: string | undefined, command: string, adjust: (raw: unknown) => unknown = (raw) => raw): Promise<Router> {
  if (!path) throw new UsageError('--config FILE is required (a YAML or JSON Switchboard config)', command);
  const file = resolve(path);
  const raw = adjust(await readConfigFile(file));
  const parsed = parseConfig(raw, file); // validate with the file name in the message
  // A one-shot command needs no periodic refresh; health runs once on demand.
  const config = { ...(raw as object), enableAutoRefresh: false };
  return createRouter(config, { plugins: builtinPlugins(), resolveFrom: [dirname(file), process.cwd()], configDir: dirname(file), observers: await observersFor(parsed) });
}
