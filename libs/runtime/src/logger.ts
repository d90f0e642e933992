import pino, { type Logger } from 'pino';

/** One JSON logger per process; every line names the process it came from. */
export function createLogger(processName: string, level: string): Logger {
  return pino({ name: processName, level, base: { process: processName } });
}

export type { Logger };
