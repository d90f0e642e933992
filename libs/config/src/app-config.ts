import { readEnvironment } from './environment';

/** The validated settings every process shares, grouped by the part of the system they steer. */
export interface AppConfig {
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly topicPartitions: number;
    readonly replicationFactor: number;
    readonly connectTimeoutMs: number;
  };
  readonly database: { readonly url: string };
  readonly http: { readonly host: string; readonly port: number };
  readonly logLevel: string;
  readonly shutdownTimeoutMs: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const e = readEnvironment(env);
  return {
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID,
      topicPartitions: e.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: e.KAFKA_REPLICATION_FACTOR,
      connectTimeoutMs: e.KAFKA_CONNECT_TIMEOUT_MS,
    },
    database: { url: e.DATABASE_URL },
    http: { host: e.HOST, port: e.PORT },
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
