// `switchboard validate --config FILE [--json]`: checks a config (base schema and every plugin's
// options) without discovering or connecting anything. Exit 0 when valid, 2 with every problem.
import { dirname, resolve } from 'node:path';
import { readConfigFile, SwitchboardError, type ConfigIssue } from '@switchboard/core';
import type { CommandSpec } from '../cli.js';
import { checkConfig, summaryLine, type ConfigCheck } from '../config-check.js';
import { UsageError, type CliIo } from '../io.js';

export interface ValidateOptions {
  config?: string;
  json?: boolean;
}

/** Read and check one file; an unreadable or unparsable file is a problem too, not a crash. */
export async function validateFile(path: string): Promise<ConfigCheck> {
  let raw: unknown;
  try {
    raw = await readConfigFile(path);
  } catch (error) {
    if (!SwitchboardError.is(error)) throw error;
    return { valid: false, problems: [{ path: '(file)', message: error.message }] };
  }
  return checkConfig(raw, { source: path, resolveFrom: [dirname(path), process.cwd()], configDir: dirname(path) });
}

export async function runValidate(io: CliIo, options: ValidateOptions): Promise<number> {
  if (!options.config) throw new UsageError('--config FILE is required (a YAML or JSON Switchboard config)', 'validate');
  const file = resolve(options.config);
  const result = await validateFile(file);
  if (options.json) {
    io.out(JSON.stringify(result.valid ? { valid: true, file, ...result.summary } : { valid: false, file, problems: result.problems }, null, 2));
    return result.valid ? 0 : 2;
  }
  if (result.valid) {
    io.out(`valid: ${summaryLine(result.summary)}`);
    return 0;
  }
  io.err(problemReport(file, result.problems));
  return 2;
}

export function problemReport(file: string, problems: readonly ConfigIssue[]): string {
  const n = problems.length;
  return [`invalid: ${file} (${n} problem${n === 1 ? '' : 's'})`, ...problems.map((p) => `  - ${p.path}: ${p.message}`)].join('\n');
}

export const validateCommand: CommandSpec = {
  summary: 'Check a config file (schema and plugin options) without starting anything',
  usage: 'switchboard validate --config FILE [--json]',
  examples: ['switchboard validate --config switchboard.yaml', 'switchboard validate -c servers.json --json'],
  options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  run: (io, values) =>
    runValidate(io, {
      ...(typeof values.config === 'string' ? { config: values.config } : {}),
      json: values.json === true,
    }),
};
