// Tool-definition pinning: the first definition of each upstream tool the gateway sees is pinned
// (trust on first use); a later change to its name, title, description, schemas or annotations is a
// possible rug pull, handled per `onDefinitionChange`:
//   block  — the tool leaves every list and refuses calls until `switchboard pins approve`;
//   warn   — it is served as changed, and logged and counted until approved;
//   accept — the new definition is pinned at once (logged and counted).
// Pins are kept per upstream (its replica group, else its service name), so replicas share them.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger, ServiceEntry } from '@switchboard/core';
import type { Tool } from '../sdk/mcp.js';
import { stableJson } from '../catalog/stable-json.js';
import { readPinFile, writePinFile, type PinFileContents, type PinnedDefinition } from './pin-file.js';

export type DefinitionChangeAction = 'block' | 'warn' | 'accept';

export interface PinsConfig {
  /** Where pins are kept (switchboard serve: `switchboard.pins.json` beside the config file). */
  file: string;
  onDefinitionChange: DefinitionChangeAction;
}

export interface DefinitionChange {
  readonly key: string;
  readonly action: DefinitionChangeAction;
}

/** What a client is shown of a tool: what pinning covers. */
export function pinnedView(tool: Tool): Record<string, unknown> {
  const view: Record<string, unknown> = { name: tool.name };
  for (const field of ['title', 'description', 'inputSchema', 'outputSchema', 'annotations'] as const) if (tool[field] !== undefined) view[field] = tool[field];
  return view;
}

export function fingerprint(tool: Tool): string {
  return createHash('sha256').update(stableJson(pinnedView(tool))).digest('base64url');
}

/** The upstream a service's pins belong to: replicas of one group share them. */
export function pinOwner(entry: Pick<ServiceEntry, 'name' | 'descriptor'>): string {
  return entry.descriptor.replicaGroup ?? entry.name;
}

export class ToolPins {
  private contents: PinFileContents;
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  /** Pending changes already reported (key → fingerprint), so each is logged once. */
  private readonly reported = new Map<string, string>();
  /** Told of each change seen (metrics) and after the file changed on disk (rebuild the catalogue). */
  onChange?: (change: DefinitionChange) => void;
  onReload?: () => void;

  constructor(
    private readonly config: PinsConfig,
    private readonly logger: Logger,
  ) {
    this.contents = readPinFile(config.file);
    // The CLI approves by rewriting the file: watch its folder (the file is replaced, not edited).
    try {
      this.watcher = watch(dirname(config.file), (_event, name) => {
        if (name !== null && name !== basename(config.file)) return;
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => this.reload(), 50);
      });
      this.watcher.on('error', (error) => this.logger.warn('pin file watch failed; approvals apply after a restart', { file: config.file, error }));
    } catch (error) {
      this.logger.warn('cannot watch the pin file; approvals apply after a restart', { file: config.file, error });
    }
  }

  get action(): DefinitionChangeAction {
    return this.config.onDefinitionChange;
  }

  /** Changed definitions waiting for approval. */
  pending(): Readonly<Record<string, PinnedDefinition>> {
    return this.contents.pending;
  }

  /**
   * The tools of one service clients may see, pinning what is new and recording what changed.
   * Called on every catalogue rebuild: an unchanged catalogue writes nothing.
   */
  review(entry: Pick<ServiceEntry, 'name' | 'descriptor' | 'tools'>): ReadonlyMap<string, Tool> {
    const owner = pinOwner(entry);
    let visible: Map<string, Tool> | undefined;
    let pins: Record<string, PinnedDefinition> | undefined;
    let pending: Record<string, PinnedDefinition> | undefined;
    const now = (): string => new Date().toISOString();
    for (const tool of entry.tools.values()) {
      const key = `${owner}/${tool.name}`;
      const print = fingerprint(tool);
      const pinned = this.contents.pins[key];
      if (!pinned) {
        (pins ??= { ...this.contents.pins })[key] = { fingerprint: print, definition: pinnedView(tool), at: now() };
        this.logger.info('tool definition pinned', { key, fingerprint: print });
        continue;
      }
      if (pinned.fingerprint === print) {
        if (this.contents.pending[key]) delete (pending ??= { ...this.contents.pending })[key]; // changed back
        continue;
      }
      if (this.config.onDefinitionChange === 'accept') {
        (pins ??= { ...this.contents.pins })[key] = { fingerprint: print, definition: pinnedView(tool), at: now() };
        if (this.contents.pending[key]) delete (pending ??= { ...this.contents.pending })[key];
        this.logger.warn('tool definition changed; accepted (onDefinitionChange: accept)', { key, from: pinned.fingerprint, to: print });
        this.onChange?.({ key, action: 'accept' });
        continue;
      }
      if (this.contents.pending[key]?.fingerprint !== print) (pending ??= { ...this.contents.pending })[key] = { fingerprint: print, definition: pinnedView(tool), at: now() };
      if (this.reported.get(key) !== print) {
        this.reported.set(key, print);
        const blocked = this.config.onDefinitionChange === 'block';
        this.logger.warn(blocked ? 'tool definition changed: tool blocked until approved (switchboard pins approve)' : 'tool definition changed: served unapproved (onDefinitionChange: warn)', {
          key,
          service: entry.name,
          from: pinned.fingerprint,
          to: print,
        });
        this.onChange?.({ key, action: this.config.onDefinitionChange });
      }
      if (this.config.onDefinitionChange === 'block') (visible ??= new Map(entry.tools)).delete(tool.name);
    }
    if (pins || pending) this.save({ version: 1, pins: pins ?? this.contents.pins, pending: pending ?? this.contents.pending });
    return visible ?? entry.tools;
  }

  close(): void {
    clearTimeout(this.reloadTimer);
    this.watcher?.close();
  }

  private save(contents: PinFileContents): void {
    this.contents = contents;
    try {
      writePinFile(this.config.file, contents);
    } catch (error) {
      this.logger.error('cannot write the pin file; pins are kept in memory only', { file: this.config.file, error });
    }
  }

  private reload(): void {
    try {
      const next = readPinFile(this.config.file);
      if (JSON.stringify(next) === JSON.stringify(this.contents)) return;
      this.contents = next;
      this.onReload?.();
    } catch (error) {
      this.logger.warn('pin file changed but cannot be read; keeping the pins in force', { file: this.config.file, error });
    }
  }
}
