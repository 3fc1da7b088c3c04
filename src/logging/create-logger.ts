import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { UserError } from '../errors/user-error';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty' | 'auto';

export interface LoggerOptions {
  level?: LogLevel;
  /** `json`: one JSON object per line; `pretty`: readable lines; `auto` (default): pretty on a terminal. */
  format?: LogFormat;
  /** Where lines go; default stderr, so stdout stays for alerts and events. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function parseLogLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new UserError('LOGGING_OPTION_INVALID', `log level '${value}' is not one of ${LOG_LEVELS.join(', ')}`, 2);
  }
  return value as LogLevel;
}

/** Structured logs (pino): JSON lines for collectors and journald, readable lines on a terminal. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const format = options.format ?? 'auto';
  const readable = format === 'pretty' || (format === 'auto' && stream.isTTY === true);
  const base = { level: options.level ?? 'info', base: { name: 'tcpwarden' } };
  if (readable) return pino(base, pretty({ destination: stream, sync: true, colorize: stream.isTTY === true, ignore: 'pid,hostname,name' }));
  return pino(base, stream);
}
