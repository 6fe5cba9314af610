// Tool-definition pinning: the first definition of each upstream tool the gateway sees is pinned
// (trust on first use); a later change to its name, title, description, schemas or annotations is a
// possible rug pull, handled per `onDefinitionChange`:
//   block  — the tool leaves every list and refuses calls until `switchboard pins approve`;
//   warn   — it is served as changed, and logged and counted until approved;
//   accept — the new definition is pinned at once (logged and counted).
// Pins are kept per upstream (its replica group, else its service name), so replicas share them.
import { createHash } from 'node:crypto';
import { SwitchboardError, type Logger, type ServiceEntry } from '@switchboard/core';
import type { Tool } from '../sdk/mcp.js';
import { stableJson } from '../catalog/stable-json.js';
import { readPinFile, type PinFileContents, type PinnedDefinition } from './pin-file.js';
import { filePinStorage, type PinStorage } from './pin-storage.js';

export type DefinitionChangeAction = 'block' | 'warn' | 'accept';

export interface PinsConfig {
  onDefinitionChange: DefinitionChangeAction;
  /** The pin file (switchboard serve: `switchboard.pins.json` beside the config file). */
  file?: string;
  /** Other storage (etcd for a fleet), with what it holds now; used instead of `file`. */
  storage?: { readonly store: PinStorage; readonly initial: PinFileContents };
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

/** Per tool object: a catalogue rebuild reviews every tool, and a list read again brings new objects. */
const fingerprints = new WeakMap<Tool, string>();

export function fingerprint(tool: Tool): string {
  let print = fingerprints.get(tool);
  if (print === undefined) fingerprints.set(tool, (print = createHash('sha256').update(stableJson(pinnedView(tool))).digest('base64url')));
  return print;
}

/** The upstream a service's pins belong to: replicas of one group share them. */
export function pinOwner(entry: Pick<ServiceEntry, 'name' | 'descriptor'>): string {
  return entry.descriptor.replicaGroup ?? entry.name;
}

/** What one review learnt, applied to whatever is stored when it is written (see PinStorage). */
interface PinPatch {
  /** First sight: pinned unless someone pinned it meanwhile. */
  readonly tofu: Map<string, PinnedDefinition>;
  /** onDefinitionChange accept: pinned whatever was there. */
  readonly accept: Map<string, PinnedDefinition>;
  /** Changed and awaiting approval. */
  readonly pend: Map<string, PinnedDefinition>;
  /** Back to its pinned definition: nothing to approve any more. */
  readonly unpend: Map<string, string>;
}

function applyPatch(current: PinFileContents, patch: PinPatch): PinFileContents {
  const pins = { ...current.pins };
  const pending = { ...current.pending };
  for (const [k, v] of patch.tofu) pins[k] ??= v;
  for (const [k, v] of patch.accept) {
    pins[k] = v;
    delete pending[k];
  }
  for (const [k, v] of patch.pend) if (pins[k]?.fingerprint !== v.fingerprint && pending[k]?.fingerprint !== v.fingerprint) pending[k] = v;
  for (const [k, print] of patch.unpend) if (pins[k]?.fingerprint === print) delete pending[k];
  return { version: 1, pins, pending };
}

const emptyPatch = (): PinPatch => ({ tofu: new Map(), accept: new Map(), pend: new Map(), unpend: new Map() });

export class ToolPins {
  private contents: PinFileContents;
  private readonly storage: PinStorage;
  private readonly unwatch: () => void;
  /** Pending changes already reported (key → fingerprint), so each is logged once. */
  private readonly reported = new Map<string, string>();
  /** Writes in flight, so close() waits for them. */
  private writing: Promise<unknown> = Promise.resolve();
  /** Told of each change seen (metrics) and after the stored pins changed elsewhere (rebuild the catalogue). */
  onChange?: (change: DefinitionChange) => void;
  onReload?: () => void;

  constructor(
    private readonly config: PinsConfig,
    private readonly logger: Logger,
  ) {
    if (config.storage) {
      this.storage = config.storage.store;
      this.contents = config.storage.initial;
    } else {
      if (!config.file) throw new SwitchboardError('CONFIG_INVALID', 'tool pinning needs a pin file or a store', { plugin: 'gateway-pins' });
      this.storage = filePinStorage(config.file, logger);
      this.contents = readPinFile(config.file);
    }
    // An approval (the CLI), or another instance's pin: take it, and rebuild what clients see.
    this.unwatch = this.storage.watch((contents) => this.adopt(contents));
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
    const patch = emptyPatch();
    const at = new Date().toISOString();
    for (const tool of entry.tools.values()) {
      const key = `${owner}/${tool.name}`;
      const print = fingerprint(tool);
      const pinned = this.contents.pins[key];
      const seen: PinnedDefinition = { fingerprint: print, definition: pinnedView(tool), at };
      if (!pinned) {
        patch.tofu.set(key, seen);
        this.logger.info('tool definition pinned', { key, fingerprint: print });
        continue;
      }
      if (pinned.fingerprint === print) {
        if (this.contents.pending[key]) patch.unpend.set(key, print);
        continue;
      }
      if (this.config.onDefinitionChange === 'accept') {
        patch.accept.set(key, seen);
        this.logger.warn('tool definition changed; accepted (onDefinitionChange: accept)', { key, from: pinned.fingerprint, to: print });
        this.onChange?.({ key, action: 'accept' });
        continue;
      }
      if (this.contents.pending[key]?.fingerprint !== print) patch.pend.set(key, seen);
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
    if (patch.tofu.size + patch.accept.size + patch.pend.size + patch.unpend.size > 0) this.persist(patch);
    return visible ?? entry.tools;
  }

  /** Resolves once every pin recorded so far is stored. */
  async flush(): Promise<void> {
    await this.writing.catch(() => undefined);
  }

  async close(): Promise<void> {
    this.unwatch();
    await this.writing.catch(() => undefined);
    await this.storage.close();
  }

  /** Apply locally at once (this rebuild's answer), then to what is stored; adopt the stored result. */
  private persist(patch: PinPatch): void {
    const expected = applyPatch(this.contents, patch);
    this.contents = expected;
    this.writing = this.writing
      .then(() => this.storage.update((current) => applyPatch(current, patch)))
      .then((stored) => {
        // Another writer got there first (another instance pinned a different definition): theirs stands.
        if (JSON.stringify(stored) !== JSON.stringify(expected)) this.adopt(stored);
      })
      .catch((error: unknown) => this.logger.error('cannot store tool pins; they are kept in memory only', { error }));
  }

  private adopt(contents: PinFileContents): void {
    if (JSON.stringify(contents) === JSON.stringify(this.contents)) return;
    this.contents = contents;
    this.onReload?.();
  }
}
