import { isatty } from 'node:tty';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

/**
 * Where a process's log lines go: on a terminal, lines a person reads (pino-pretty); piped, to a
 * file or a collector, one JSON object a line. Asked of file descriptor 1 rather than
 * process.stdout, so a worker thread, whose stdout is a pipe to its process, decides the same.
 */
export function logDestination(): DestinationStream | undefined {
  if (!isatty(1)) return undefined;
  // The process is already in each line as pino's name; one line a record, as in the JSON form.
  return pretty({
    colorize: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,process',
    singleLine: true,
  });
}

/** The options every logger of a process shares: every line names the process it came from. */
export function loggerOptions(processName: string, level: string): LoggerOptions {
  return { name: processName, level, base: { process: processName } };
}

/** One logger per process (or worker thread), written where `logDestination` says. */
export function createLogger(processName: string, level: string): Logger {
  const destination = logDestination();
  const options = loggerOptions(processName, level);
  return destination === undefined ? pino(options) : pino(options, destination);
}

export type { Logger };
