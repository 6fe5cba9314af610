// `switchboard init [--output FILE] [--force] [--schema REF]`: writes a commented starter config.
// It never overwrites a file unless told to, because a config is hand-edited and not recoverable.
import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { CommandSpec } from '../cli.js';
import type { CliIo } from '../io.js';
import { initTemplate } from './init-template.js';

export const DEFAULT_CONFIG_FILE = 'switchboard.yaml';

export interface InitOptions {
  output?: string;
  force?: boolean;
  /** What the yaml-language-server comment points editors at (URL or path relative to the file). */
  schema?: string;
}

export async function runInit(io: CliIo, options: InitOptions): Promise<number> {
  const file = resolve(options.output ?? DEFAULT_CONFIG_FILE);
  const shown = relative(process.cwd(), file) || file;
  try {
    // 'wx' fails if the file exists, so there is no window between a check and the write.
    await writeFile(file, initTemplate(options.schema), { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      io.err(`switchboard init: ${shown} already exists; pass --force to overwrite it, or --output FILE to write elsewhere`);
      return 2;
    }
    // A missing directory or no permission: say which file, without a stack trace.
    io.err(`switchboard init: cannot write ${shown}: ${(error as Error).message}`);
    return 1;
  }
  io.out(
    [
      `Wrote ${shown}`,
      '',
      'Next:',
      '  1. List your servers under discovery (or uncomment the mdns, etcd or registry source).',
      `  2. Check the file:      switchboard validate --config ${shown}`,
      `  3. See what it finds:   switchboard discover --config ${shown}`,
      `  4. Route a tool call:   switchboard call TOOL --args '{"key":"value"}' --config ${shown}`,
    ].join('\n'),
  );
  return 0;
}

export const initCommand: CommandSpec = {
  summary: 'Write a commented starter config file',
  usage: 'switchboard init [--output FILE] [--force] [--schema URL_OR_PATH]',
  examples: ['switchboard init', 'switchboard init --output config/switchboard.yaml --force'],
  options: {
    output: { type: 'string', short: 'o' },
    force: { type: 'boolean', short: 'f' },
    schema: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  run: (io, values) =>
    runInit(io, {
      ...(typeof values.output === 'string' ? { output: values.output } : {}),
      ...(typeof values.schema === 'string' ? { schema: values.schema } : {}),
      force: values.force === true,
    }),
};
