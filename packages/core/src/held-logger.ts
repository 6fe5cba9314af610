// A logger that holds what is logged until told whether it matters. The era probe may run on a
// process that exits on it (a legacy server that dislikes unknown requests) and is then started
// again: what that first process wrote is noise about a process nobody uses, so it is written at
// debug; if the process stays (the usual case), everything held is written as it was logged.
import type { LogFields, Logger } from './logger.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

export interface HeldLogger {
  readonly logger: Logger;
  /** Write what was held as logged, and pass everything through from now on. */
  keep(): void;
  /** Write what was held at debug (errors stay errors), and pass everything from now on at debug. */
  quiet(): void;
}

/** Holds at most this many lines; a process printing more is not waiting on a probe. */
const MAX_HELD = 200;

export function holdLogs(target: Logger): HeldLogger {
  let mode: 'hold' | 'keep' | 'quiet' = 'hold';
  const held: Array<{ logger: Logger; level: Level; message: string; fields: LogFields | undefined }> = [];
  const write = (logger: Logger, level: Level, message: string, fields: LogFields | undefined): void => {
    if (mode === 'quiet' && level !== 'error') logger.debug(message, fields);
    else logger[level](message, fields);
  };
  const wrap = (logger: Logger): Logger => {
    const at =
      (level: Level) =>
      (message: string, fields?: LogFields): void => {
        if (mode !== 'hold') return write(logger, level, message, fields);
        if (held.length < MAX_HELD) held.push({ logger, level, message, fields });
      };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (fields) => wrap(logger.child(fields)) };
  };
  const release = (to: 'keep' | 'quiet'): void => {
    if (mode !== 'hold') return;
    mode = to;
    for (const h of held.splice(0)) write(h.logger, h.level, h.message, h.fields);
  };
  return { logger: wrap(target), keep: () => release('keep'), quiet: () => release('quiet') };
}
