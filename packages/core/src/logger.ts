// A small structured logger: JSON lines (or readable text) on stderr, never stdout, because stdout
// may be an MCP stdio protocol stream.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'json' | 'text';
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const level = options.level ?? (process.env.SWITCHBOARD_LOG_LEVEL as LogLevel | undefined) ?? 'warn';
  const min = RANK[level] ?? RANK.warn;
  const format = options.format ?? (process.env.SWITCHBOARD_LOG_FORMAT === 'text' ? 'text' : 'json');
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const log = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void => {
    if (RANK[lvl] < min) return;
    const record = { time: new Date().toISOString(), level: lvl, msg: message, ...bound, ...fields };
    if (format === 'json') {
      write(JSON.stringify(record, errorReplacer));
    } else {
      const extra = Object.entries({ ...bound, ...fields })
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, errorReplacer)}`)
        .join(' ');
      write(`${record.time} ${lvl.toUpperCase()} ${message}${extra ? ' ' + extra : ''}`);
    }
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger({ level, format, write }, { ...bound, ...fields }),
  };
}

export const silentLogger: Logger = createLogger({ level: 'silent' });

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  return value;
}
