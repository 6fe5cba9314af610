// `switchboard pins list|approve`: the tool definitions a gateway pinned, and the changes it holds
// back (onDefinitionChange: block) or warns about until an operator approves them. Approving
// rewrites the pin file; a running gateway watches it and serves the approved definition at once.
import { resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { createLogger, parseConfig, readConfigFile } from '@switchboard/core';
import type { PinFileContents } from '@switchboard/gateway';
import { UsageError, type CliIo } from '../io.js';
import { parseGatewaySection } from '../gateway-reload.js';
import { openPins, type OpenedPins } from '../pin-storage.js';

export interface PinsOptions {
  config?: string;
  all?: boolean;
  json?: boolean;
}

async function pinsOf(configFile: string): Promise<OpenedPins> {
  const file = resolve(configFile);
  const config = parseConfig(await readConfigFile(file), file);
  const gw = parseGatewaySection(config.gateway, file);
  if (gw.pins === false) throw new UsageError(`tool-definition pinning is off in ${file} (gateway.pins: false)`, 'pins');
  return openPins(gw.pins, file, createLogger({ level: 'error' }));
}

const pretty = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** What changed in a definition, as a unified diff of its pinned and its new form. */
function diffOf(contents: PinFileContents, key: string): string {
  const before = contents.pins[key];
  const after = contents.pending[key];
  return createTwoFilesPatch(`${key} (pinned ${before?.at ?? '-'})`, `${key} (seen ${after?.at ?? '-'})`, pretty(before?.definition ?? {}), pretty(after?.definition ?? {}), undefined, undefined, { context: 3 });
}

export async function runPins(io: CliIo, action: string | undefined, keys: readonly string[], options: PinsOptions): Promise<number> {
  if (!options.config) throw new UsageError('--config FILE is required', 'pins');
  if (action !== 'list' && action !== 'approve') throw new UsageError(`expected 'list' or 'approve' (got '${action ?? ''}')`, 'pins');
  const pins = await pinsOf(options.config);
  try {
    return await run(io, action, keys, options, pins);
  } finally {
    await pins.store.close();
  }
}

async function run(io: CliIo, action: 'list' | 'approve', keys: readonly string[], options: PinsOptions, pins: OpenedPins): Promise<number> {
  const contents = pins.initial;
  const pending = Object.keys(contents.pending).sort();
  if (action === 'list') {
    if (options.json) {
      io.out(JSON.stringify({ store: pins.where, pinned: Object.keys(contents.pins).sort(), pending }, null, 2));
      return 0;
    }
    io.out(`${pins.where}: ${Object.keys(contents.pins).length} tool definition(s) pinned, ${pending.length} change(s) awaiting approval`);
    for (const key of pending) io.out(`\n${diffOf(contents, key)}`);
    if (pending.length > 0) io.out(`approve with: switchboard pins approve --config ${options.config} ${pending.length === 1 ? pending[0] : '--all'}`);
    return 0;
  }
  if (keys.length === 0 && !options.all) throw new UsageError('name the changes to approve (upstream/tool), or pass --all', 'pins');
  const chosen = options.all ? pending : [...keys];
  const unknown = chosen.filter((k) => contents.pending[k] === undefined);
  if (unknown.length > 0) {
    io.err(`no change awaiting approval for ${unknown.join(', ')}${pending.length > 0 ? ` (awaiting: ${pending.join(', ')})` : ' (none is awaiting)'}`);
    return 1;
  }
  if (chosen.length === 0) {
    io.out('no change is awaiting approval');
    return 0;
  }
  for (const key of chosen) io.out(diffOf(contents, key));
  const at = new Date().toISOString();
  // Applied to what is stored when written: a change recorded meanwhile (a gateway saw the tool
  // change again) is not approved by accident, since only the definition shown is.
  await pins.store.update((current) => {
    const next = { pins: { ...current.pins }, pending: { ...current.pending } };
    for (const key of chosen) {
      const shown = contents.pending[key]!;
      if (current.pending[key]?.fingerprint !== shown.fingerprint) continue;
      next.pins[key] = { ...shown, at };
      delete next.pending[key];
    }
    return { version: 1, ...next };
  });
  io.out(`approved ${chosen.length} change(s): ${chosen.join(', ')}`);
  return 0;
}
