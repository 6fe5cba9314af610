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
  try {
    // YAML is a superset of JSON, so one parser reads both; JSON errors still carry line numbers.
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new SwitchboardError('CONFIG_INVALID', `config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export async function loadConfigFile(path: string): Promise<SwitchboardConfig> {
  return parseConfig(await readConfigFile(path), path);
}
