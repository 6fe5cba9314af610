// The pin file: each tool definition the gateway has accepted, and each changed one waiting for an
// operator's approval. Shared by the gateway (which pins and records changes) and the CLI (which
// approves them); written whole to a temporary file and renamed, so a reader never sees half.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SwitchboardError } from '@switchboard/core';

export interface PinnedDefinition {
  readonly fingerprint: string;
  /** The definition as seen, to show a diff against a later one. */
  readonly definition: Readonly<Record<string, unknown>>;
  /** ISO time it was pinned (or, for a pending change, first seen). */
  readonly at: string;
}

export interface PinFileContents {
  readonly version: 1;
  /** `upstream/tool` → the definition clients may see. */
  readonly pins: Readonly<Record<string, PinnedDefinition>>;
  /** `upstream/tool` → a changed definition not yet approved. */
  readonly pending: Readonly<Record<string, PinnedDefinition>>;
}

export const EMPTY_PINS: PinFileContents = { version: 1, pins: {}, pending: {} };

export function readPinFile(file: string): PinFileContents {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_PINS;
    throw new SwitchboardError('PINS_UNREADABLE', `cannot read the pin file ${file}: ${(error as Error).message}`, { plugin: 'gateway-pins', cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SwitchboardError('PINS_UNREADABLE', `the pin file ${file} is not JSON`, { plugin: 'gateway-pins' });
  }
  const p = parsed as Partial<PinFileContents> | null;
  if (p?.version !== 1 || typeof p.pins !== 'object' || p.pins === null || typeof p.pending !== 'object' || p.pending === null) {
    throw new SwitchboardError('PINS_UNREADABLE', `the pin file ${file} is not a Switchboard pin file (version 1)`, { plugin: 'gateway-pins' });
  }
  return { version: 1, pins: p.pins, pending: p.pending };
}

export function writePinFile(file: string, contents: PinFileContents): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}
