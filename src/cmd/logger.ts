/**
 * The process logger: pino JSON lines, level from [DEFAULT] debug, to [DEFAULT] log_file (under
 * log_dir when relative) when set, else standard output.
 */
import { isAbsolute, join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { ServerOptions } from '../config/index.js';

export function createLogger(o: Pick<ServerOptions, 'debug' | 'logFile' | 'logDir'>, name: string): Logger {
  const level = o.debug ? 'debug' : 'info';
  const file = o.logFile ? (isAbsolute(o.logFile) || !o.logDir ? o.logFile : join(o.logDir, o.logFile)) : null;
  // Synchronous writes: nothing is lost when the process exits right after logging.
  const destination = file ? pino.destination({ dest: file, mkdir: true, sync: true }) : pino.destination({ dest: 1, sync: true });
  return pino({ name, level }, destination);
}
