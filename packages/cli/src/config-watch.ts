// Reloads a running router when its config file changes: discovery changes apply live, sessions
// stay; an invalid edit is reported and the running config kept. Watches the directory, because
// editors often save by writing a new file and renaming it over the old one.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readConfigFile, SwitchboardError, type Logger, type Router } from '@switchboard/core';

/**
 * A part of the config that the router does not own (the gateway section): checked before the
 * router reloads, so an invalid edit changes nothing, and applied after it.
 */
export type ReloadPart = (raw: unknown) => { apply(): string[]; needsRestart: string[] };

export function watchConfig(file: string, router: Router, logger: Logger, options: { debounceMs?: number; part?: ReloadPart } = {}): { close(): void } {
  const debounceMs = options.debounceMs ?? 150;
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const reload = async (): Promise<void> => {
    try {
      const raw = await readConfigFile(file);
      const part = options.part?.(raw);
      const routerChange = await router.reload(raw, file);
      const applied = [...routerChange.applied, ...(part?.apply() ?? [])];
      const needsRestart = [...routerChange.needsRestart, ...(part?.needsRestart ?? [])];
      logger.info('config reloaded', { file, applied, ...(needsRestart.length > 0 ? { needsRestart } : {}) });
      if (needsRestart.length > 0) logger.warn('some config changes take effect only after a restart', { needsRestart });
    } catch (error) {
      const message = SwitchboardError.is(error) ? error.message : String(error);
      logger.error('config reload rejected; the running config is unchanged', { file, error: message });
    }
  };
  const watcher: FSWatcher = watch(dirname(file), (_event, name) => {
    if (name !== null && name !== basename(file)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(reload); // one reload at a time, in order
    }, debounceMs);
    timer.unref();
  });
  watcher.unref();
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
