/**
 * Structured JSON logs (pino). Message texts are never logged at info;
 * nicknames only ever appear as JSON fields, so they cannot forge log lines.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/options.js';

export type { Logger };

/**
 * A logger writing JSON lines to stdout at `level` (`silent` writes nothing).
 *
 * @example
 * ```ts
 * const log = createLogger('info');
 * log.info({ user: 'ada' }, 'session opened');
 * ```
 */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { name: 'parley-relay' } }, pino.destination({ dest: 1, sync: true }));
}
