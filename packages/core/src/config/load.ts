// Reads a config file (YAML or JSON) and validates it, naming the file in every error.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { SwitchboardError } from '../errors.js';
import type { SwitchboardConfig } from './schema.js';
import { parseConfig } from './validate.js';

export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SwitchboardError('CONFIG_READ_FAILED', `cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both; JSON errors still carry line numbers.
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new SwitchboardError('CONFIG_INVALID', `config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // An empty file (or one with only comments) is a mistake, or an editor's save caught half-way:
  // taken as {} it would stop every discovery source on a reload.
  if (parsed === null || parsed === undefined) {
    throw new SwitchboardError('CONFIG_INVALID', `config file ${path} is empty; write at least one discovery source (see switchboard init)`);
  }
  return substituteEnv(parsed);
}

/**
 * Replace `${NAME}` in every string with the environment variable NAME, so secrets (tokens,
 * headers) stay out of config files. A variable that is not set is an error naming where it is
 * used; `$${NAME}` keeps a literal `${NAME}`.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv = process.env, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
      if (match.startsWith('$$')) return match.slice(1);
      const found = env[name];
      if (found === undefined) {
        throw new SwitchboardError('CONFIG_INVALID', `environment variable ${name} is not set (used at ${path || '(root)'})`, {
          details: [{ path: path || '(root)', message: `environment variable ${name} is not set` }],
        });
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, path ? `${path}.${k}` : k)]));
  }
  return value;
}

export async function loadConfigFile(path: string): Promise<SwitchboardConfig> {
  return parseConfig(await readConfigFile(path), path);
}
