import { logLevel, type LogEntry } from 'kafkajs';

export type PinoLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVELS: Record<logLevel, PinoLevel> = {
  [logLevel.NOTHING]: 'debug',
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * The messages of the broker's answers kafkajs retries by itself (its protocol error table, the
 * one it decides retries by): a fresh broker answers "The coordinator is loading" and "The group
 * coordinator is not available" for a second, and a leader election "not the leader".
 */
const RETRIED_ANSWERS: ReadonlySet<string> = new Set(
  kafkajsErrorTable()
    .filter((code) => code.retriable)
    .map((code) => code.message),
);

/** The table is not in kafkajs's typings; kafkajs is pinned (no release since 2023). */
function kafkajsErrorTable(): readonly { message: string; retriable: boolean }[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const table = require('kafkajs/src/protocol/error') as {
    errorCodes: readonly { message: string; retriable: boolean }[];
  };
  return table.errorCodes;
}

/**
 * Whether `error` (or what caused it) is a broker's answer that kafkajs deems transient: a consumer
 * that crashed on one and is started again is riding out a moment, not failing.
 */
export function isRetriedAnswer(error: Error): boolean {
  let cause: unknown = error;
  for (let depth = 0; depth < 8 && cause instanceof Error; depth += 1) {
    if (RETRIED_ANSWERS.has(cause.message)) return true;
    cause = cause.cause;
  }
  return false;
}

/**
 * The level a kafkajs line is logged at. kafkajs logs every error answer, every failed attempt
 * and every consumer crash at error level, though it retries most of them: an answer it retries,
 * an attempt inside its retrier, and a crash on such an answer (the consumer is started again,
 * by kafkajs or by the projector's supervisor, which says so itself) are debug. So an error-level
 * line means something gave up: a retry exhausted surfaces where it is caught, and is logged
 * there. A member told to rejoin its group is a rebalance, a warning.
 */
export function kafkaLogLevel({ namespace, level, log }: LogEntry): PinoLevel {
  if (level !== logLevel.ERROR) return LEVELS[level];
  const extra = log as LogEntry['log'] & { error?: unknown; retryCount?: unknown };
  const crash = /^Crash: KafkaJSProtocolError: (.*)$/s.exec(log.message);
  if (crash) return RETRIED_ANSWERS.has(crash[1] as string) ? 'debug' : 'error';
  if (log.message.startsWith('Crash: ')) return 'error';
  if (log.message.startsWith('Restarting the consumer in ')) return 'debug';
  if (namespace === 'Connection' && typeof extra.error === 'string')
    return RETRIED_ANSWERS.has(extra.error) ? 'debug' : 'error';
  if (typeof extra.retryCount === 'number') return 'debug';
  if (log.message.startsWith('The coordinator is not aware of this member')) return 'warn';
  return 'error';
}
