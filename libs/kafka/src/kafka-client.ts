import { Kafka, logLevel, type Admin, type LogEntry, type SASLOptions } from 'kafkajs';
import type { AppConfig } from '@credits/config';
import { StartupError, within, type Logger } from '@credits/runtime';
import { kafkaLogLevel } from './kafkajs-log';
// Applied as kafkajs is first used: every broker connection is made after this.
import './kafkajs-request-queue';
import './kafkajs-heartbeat';

/**
 * A kafkajs client whose log lines go through the process's pino logger. `quiet` silences it, for
 * start-up probes whose failure is reported as one clear line instead of a retry log.
 */
export function createKafkaClient(
  config: AppConfig['kafka'],
  processName: string,
  logger: Logger,
  { quiet = false } = {},
): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: `${config.clientId}-${processName}`,
    brokers: [...config.brokers],
    connectionTimeout: 3_000,
    ssl: config.ssl,
    // The config's mechanism is one of the three kafkajs knows; TypeScript can't narrow the union.
    ...(config.sasl === undefined ? {} : { sasl: { ...config.sasl } as SASLOptions }),
    logLevel: quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      kafkaLogger[kafkaLogLevel(entry)]({ namespace: entry.namespace, ...extra }, message);
    },
  });
}

export function unreachableBrokers(brokers: readonly string[], cause: unknown): StartupError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StartupError(
    `Kafka at ${brokers.join(',')} does not answer (${detail}): start the local broker ` +
      `(npm run kafka -- start) or set KAFKA_BROKERS to a running one`,
    { cause },
  );
}

/**
 * Connects an admin client, giving up after `timeoutMs` with one clear line rather than letting
 * kafkajs retry for minutes.
 */
export async function connectAdmin(
  kafka: Kafka,
  brokers: readonly string[],
  timeoutMs: number,
): Promise<Admin> {
  const admin = kafka.admin({ retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 } });
  try {
    await within(
      timeoutMs,
      admin.connect().then(() => admin.listTopics()),
    );
    return admin;
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw unreachableBrokers(brokers, error);
  }
}
