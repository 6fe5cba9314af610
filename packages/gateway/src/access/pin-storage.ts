// Where pins are kept: the pin file beside the config (the default), or any store that can do a
// read-modify-write and tell of changes made elsewhere (etcd for a fleet, see switchboard serve).
// Writers never overwrite blindly: each write is a change applied to what is stored now, so an
// instance pinning a new tool, another recording a change, and the CLI approving one all land.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '@switchboard/core';
import { readPinFile, writePinFile, type PinFileContents } from './pin-file.js';

export interface PinStorage {
  /** Apply `change` to the stored contents and store the result (retried on a conflicting write). */
  update(change: (current: PinFileContents) => PinFileContents): Promise<PinFileContents>;
  /** Told when the stored contents changed (another instance, or an approval). */
  watch(listener: (contents: PinFileContents) => void): () => void;
  close(): Promise<void>;
}

/** The pin file as storage: a read-modify-write of the file, and a watch on its folder (the file is replaced, not edited). */
export function filePinStorage(file: string, logger: Logger): PinStorage {
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  const listeners = new Set<(contents: PinFileContents) => void>();
  const start = (): void => {
    if (watcher) return;
    try {
      watcher = watch(dirname(file), (_event, name) => {
        if (name !== null && name !== basename(file)) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          try {
            const contents = readPinFile(file);
            for (const l of listeners) l(contents);
          } catch (error) {
            logger.warn('pin file changed but cannot be read; keeping the pins in force', { file, error });
          }
        }, 50);
      });
      watcher.on('error', (error) => logger.warn('pin file watch failed; approvals apply after a restart', { file, error }));
    } catch (error) {
      logger.warn('cannot watch the pin file; approvals apply after a restart', { file, error });
    }
  };
  return {
    async update(change) {
      const next = change(readPinFile(file));
      writePinFile(file, next);
      return next;
    },
    watch(listener) {
      listeners.add(listener);
      start();
      return () => void listeners.delete(listener);
    },
    async close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
