import {
  readEnvironment,
  type ApiKeyHash,
  type CrashPoint,
  type SaslMechanism,
} from './environment';

/** The validated settings every process shares, grouped by the part of the system they steer. */
export interface AppConfig {
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly topicPartitions: number;
    readonly replicationFactor: number;
    readonly minInsyncReplicas: number;
    readonly connectTimeoutMs: number;
    readonly topicPrefix: string;
    /** SASL authentication, when the cluster asks for it; the principal's ACLs decide the rest. */
    readonly sasl?: {
      readonly mechanism: SaslMechanism;
      readonly username: string;
      readonly password: string;
    };
    readonly ssl: boolean;
  };
  readonly eventStore:
    | { readonly adapter: 'postgres' }
    | { readonly adapter: 'eventstoredb'; readonly connectionString: string };
  readonly credits: {
    readonly holdTimeoutMs: number;
    readonly refundGrantDays: number;
    readonly assertInvariants: boolean;
    readonly settledGenerationsKept: number;
    readonly recordOnlySourcesKept: number;
    readonly catalogLeadTimeMs: number;
    readonly catalogRefreshMs: number;
  };
  readonly projector: {
    readonly metricsPort: number;
    /** host:port of each projector's ops server, for credits status. */
    readonly opsAddresses: readonly string[];
    readonly sessionTimeoutMs: number;
    readonly partitionsConcurrency: number;
    readonly cachedAccounts: number;
    readonly snapshotEveryEvents: number;
    readonly snapshotOnLeavingMinEvents: number;
    readonly sweepIntervalMs: number;
    /** A wall-clock jump larger than this either way, between two sweeper ticks, is reported. */
    readonly clockJumpAlertMs: number;
    readonly lagIntervalMs: number;
    readonly stallAfterMs: number;
    /** For fault runs: where, and at which reach, the projector kills itself (null: never). */
    readonly crashAt: CrashPoint | null;
    readonly crashOnReach: number;
    readonly crashSignal: 'SIGKILL' | 'SIGSTOP';
    /** For fault runs: every n-th committed append is reported as failed (null: never). */
    readonly ambiguousCommitEvery: number | null;
  };
  readonly database: {
    readonly url: string;
    /** Singleton work's leader lock (see libs/postgres/src/leader-lock.ts). */
    readonly leaderLockTimeoutMs: number;
  };
  readonly http: { readonly host: string; readonly port: number };
  readonly quota: {
    readonly apiKeys: readonly ApiKeyHash[];
    readonly generationTimeoutMs: number;
    readonly readModelCachedAccounts: number;
    /** Past either, new requests are refused with 503 (see apps/quota-service/src/http/admission.ts). */
    readonly maxInFlight: number;
    readonly maxWaitingGenerations: number;
    readonly maxEventLoopDelayMs: number;
    /** Serve the benchmark's baseline route, POST /noop (apps/quota-service/src/http/noop.controller.ts). */
    readonly baselineRoute: boolean;
  };
  readonly rebuild: { readonly cachedAccounts: number };
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
      // One replica may be lost without refusing writes, and an acknowledged write is on two.
      minInsyncReplicas: e.KAFKA_MIN_INSYNC_REPLICAS ?? (e.KAFKA_REPLICATION_FACTOR >= 3 ? 2 : 1),
      connectTimeoutMs: e.KAFKA_CONNECT_TIMEOUT_MS,
      topicPrefix: e.KAFKA_TOPIC_PREFIX,
      // readEnvironment has checked that the three come together.
      ...(e.KAFKA_SASL_MECHANISM === undefined
        ? {}
        : {
            sasl: {
              mechanism: e.KAFKA_SASL_MECHANISM,
              username: e.KAFKA_SASL_USERNAME as string,
              password: e.KAFKA_SASL_PASSWORD as string,
            },
          }),
      ssl: e.KAFKA_SSL,
    },
    eventStore:
      e.EVENT_STORE === 'eventstoredb'
        ? { adapter: 'eventstoredb', connectionString: e.EVENTSTORE_CONNECTION_STRING }
        : { adapter: 'postgres' },
    credits: {
      holdTimeoutMs: e.HOLD_TIMEOUT_MS,
      refundGrantDays: e.REFUND_GRANT_DAYS,
      assertInvariants: e.CREDITS_ASSERT_INVARIANTS,
      settledGenerationsKept: e.CREDITS_SETTLED_GENERATIONS_KEPT,
      recordOnlySourcesKept: e.CREDITS_TRACE_ONLY_SOURCES_KEPT,
      catalogLeadTimeMs: e.CATALOG_LEAD_TIME_MS,
      catalogRefreshMs: e.CATALOG_REFRESH_MS,
    },
    projector: {
      metricsPort: e.PROJECTOR_METRICS_PORT,
      opsAddresses:
        e.PROJECTOR_OPS_ADDRESSES.length > 0
          ? e.PROJECTOR_OPS_ADDRESSES
          : [`127.0.0.1:${e.PROJECTOR_METRICS_PORT}`],
      sessionTimeoutMs: e.PROJECTOR_SESSION_TIMEOUT_MS,
      partitionsConcurrency: e.PROJECTOR_PARTITIONS_CONCURRENCY,
      cachedAccounts: e.PROJECTOR_CACHED_ACCOUNTS,
      snapshotEveryEvents: e.PROJECTOR_SNAPSHOT_EVERY_EVENTS,
      snapshotOnLeavingMinEvents: e.PROJECTOR_SNAPSHOT_ON_LEAVING_MIN_EVENTS,
      sweepIntervalMs: e.PROJECTOR_SWEEP_INTERVAL_MS,
      clockJumpAlertMs: e.PROJECTOR_CLOCK_JUMP_ALERT_MS,
      lagIntervalMs: e.PROJECTOR_LAG_INTERVAL_MS,
      stallAfterMs: e.PROJECTOR_STALL_AFTER_MS,
      crashAt: e.PROJECTOR_CRASH_AT === 'none' ? null : (e.PROJECTOR_CRASH_AT as CrashPoint),
      crashOnReach: e.PROJECTOR_CRASH_ON_REACH,
      crashSignal: e.PROJECTOR_CRASH_SIGNAL as 'SIGKILL' | 'SIGSTOP',
      ambiguousCommitEvery: e.PROJECTOR_AMBIGUOUS_COMMIT_EVERY || null,
    },
    database: { url: e.DATABASE_URL, leaderLockTimeoutMs: e.LEADER_LOCK_TIMEOUT_MS },
    http: { host: e.HOST, port: e.PORT },
    quota: {
      apiKeys: e.API_KEYS,
      generationTimeoutMs: e.GENERATION_TIMEOUT_MS,
      readModelCachedAccounts: e.READ_MODELS_CACHED_ACCOUNTS,
      maxInFlight: e.QUOTA_MAX_IN_FLIGHT,
      maxWaitingGenerations: e.QUOTA_MAX_WAITING_GENERATIONS,
      maxEventLoopDelayMs: e.QUOTA_MAX_EVENT_LOOP_DELAY_MS,
      baselineRoute: e.QUOTA_BASELINE_ROUTE,
    },
    rebuild: { cachedAccounts: e.REBUILD_CACHED_ACCOUNTS },
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
