import { createHash } from 'node:crypto';
import { bool, cleanEnv, EnvError, makeValidator, port, str } from 'envalid';
import { ConfigError } from './config-error';

const hostPortList = makeValidator<string[]>((input: string) => {
  const brokers = input
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  const wellFormed = (broker: string): boolean => {
    const match = /^([A-Za-z0-9.\-_]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(broker);
    return match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 65535;
  };
  if (brokers.length === 0 || !brokers.every(wellFormed)) {
    throw new EnvError('expected a comma-separated list of host:port');
  }
  return brokers;
});

function integerFrom(least: number) {
  return makeValidator<number>((input: string) => {
    if (!/^\d+$/.test(input.trim()) || Number(input) < least) {
      throw new EnvError(`expected a whole number of at least ${least}`);
    }
    return Number(input);
  });
}
const positiveInteger = integerFrom(1);
const nonNegativeInteger = integerFrom(0);

export const API_ROLES = ['worker', 'billing', 'finance', 'ops'] as const;
export type ApiRole = (typeof API_ROLES)[number];
export interface ApiKeyHash {
  readonly role: ApiRole;
  readonly sha256: string;
  /**
   * The key's stable id: what the quota service writes as `publishedby` on what the key posts.
   * Given as a third part (`role:sha256hex:id`), or else a fingerprint of the hash (never the
   * key or the hash itself, which would help whoever reads the ledger guess or match keys).
   */
  readonly id: string;
}

/** How the apps may authenticate to Kafka: the SASL mechanisms kafkajs speaks. */
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export const API_KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,48}$/;

/** `<role>-<10 hex digits>`, the same for the same hash on every process and release. */
export function fingerprintKeyId(role: ApiRole, sha256: string): string {
  const digest = createHash('sha256').update(`image-credits key id\u0000${sha256}`).digest('hex');
  return `${role}-${digest.slice(0, 10)}`;
}

const apiKeys = makeValidator<ApiKeyHash[]>((input: string) => {
  const keys = input
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const [role, hash, id, ...rest] = pair.split(':');
      if (!(API_ROLES as readonly string[]).includes(role ?? '') || rest.length > 0)
        throw new EnvError(
          `"${pair.slice(0, 12)}…" does not start with a role (${API_ROLES.join(', ')}) and a colon`,
        );
      if (!/^[0-9a-f]{64}$/i.test(hash ?? ''))
        throw new EnvError(`the ${role} key's hash is not 64 hex digits (the SHA-256 of the key)`);
      if (id !== undefined && !API_KEY_ID_PATTERN.test(id))
        throw new EnvError(
          `the ${role} key's id ${JSON.stringify(id.slice(0, 60))} is not 1-48 characters of A-Z a-z 0-9 . _ -`,
        );
      const sha256 = (hash as string).toLowerCase();
      return { role: role as ApiRole, sha256, id: id ?? fingerprintKeyId(role as ApiRole, sha256) };
    });
  const ids = keys.map((key) => key.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined)
    throw new EnvError(`two keys have the id ${repeated}: each key's id must be its own`);
  return keys;
});

const postgresUrl = makeValidator<string>((input: string) => {
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    throw new EnvError('expected a URL such as postgres://user@host:5432/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new EnvError('expected a postgres:// or postgresql:// URL');
  }
  if (parsed.pathname.length <= 1) {
    throw new EnvError('the URL names no database (add /database_name at its end)');
  }
  return input;
});

/** The points of a chunk's path at which a fault run may have the projector kill itself. */
export const CRASH_POINTS = [
  'before-store-commit',
  'after-store-commit',
  'after-publish',
  'after-offset-commit',
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/**
 * Every environment variable the services and the CLI read, with its default. The README's
 * configuration table lists exactly these (a unit test keeps the two in step).
 */
export const environmentSpec = {
  KAFKA_BROKERS: hostPortList({
    default: ['127.0.0.1:9092'],
    desc: 'Kafka bootstrap brokers; when unset, npm start runs a local broker on 127.0.0.1:9092',
    example: '127.0.0.1:9092',
  }),
  KAFKA_CLIENT_ID: str({ default: 'image-credits', desc: 'Kafka client id prefix' }),
  KAFKA_TOPIC_PREFIX: str({
    default: '',
    desc: 'put before every topic and consumer group name, so several deployments (or test runs) can share a cluster',
    example: 'staging.',
  }),
  KAFKA_TOPIC_PARTITIONS: positiveInteger({
    default: 6,
    desc: 'partitions of the topics the apps create at start',
    example: '6',
  }),
  KAFKA_REPLICATION_FACTOR: positiveInteger({
    default: 1,
    desc: 'replication factor of the topics the apps create at start',
    example: '1',
  }),
  KAFKA_MIN_INSYNC_REPLICAS: positiveInteger({
    default: undefined,
    desc: 'min.insync.replicas of the topics the apps create: how many replicas must have a write before it is acknowledged (default: 2 from a replication factor of 3, else 1)',
    example: '2',
  }),
  KAFKA_SASL_MECHANISM: str<SaslMechanism>({
    default: undefined,
    choices: SASL_MECHANISMS,
    desc: 'how the apps authenticate to Kafka (SASL); unset: no authentication. Needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    example: 'scram-sha-512',
  }),
  KAFKA_SASL_USERNAME: str({
    default: undefined,
    desc: "the Kafka principal a process runs as (the README's ACL section lists each one's rights)",
    example: 'credit-projector',
  }),
  KAFKA_SASL_PASSWORD: str({
    default: undefined,
    desc: 'the password of KAFKA_SASL_USERNAME',
    example: '<the principal password>',
  }),
  KAFKA_SSL: bool({
    default: false,
    desc: "connect to Kafka over TLS (the system's trusted certificate authorities)",
    example: 'true',
  }),
  KAFKA_CONNECT_TIMEOUT_MS: positiveInteger({
    default: 10_000,
    desc: 'how long a process waits for Kafka at start before it gives up',
    example: '10000',
  }),
  DATABASE_URL: postgresUrl({
    default: 'postgres://postgres@127.0.0.1:5432/image_credits',
    desc: 'PostgreSQL for the event store and read models; the database is created if absent',
    example: 'postgres://postgres@127.0.0.1:5432/image_credits',
  }),
  LEADER_LOCK_TIMEOUT_MS: positiveInteger({
    default: 5_000,
    desc: 'work done once per deployment (a topic prefix on a database: the read models, the expiry sweeper) is led by one replica holding a PostgreSQL advisory lock; the others try for it every half of this, and a leader that cannot confirm its lock within it stops the work',
    example: '5000',
  }),
  EVENT_STORE: str({
    default: 'postgres',
    choices: ['postgres', 'eventstoredb'],
    desc: 'where the ledger lives',
  }),
  EVENTSTORE_CONNECTION_STRING: str({
    default: 'kurrentdb://127.0.0.1:2113?tls=false',
    desc: 'the EventStoreDB server, when EVENT_STORE=eventstoredb',
    example: 'kurrentdb://127.0.0.1:2113?tls=false',
  }),
  HOLD_TIMEOUT_MS: positiveInteger({
    default: 86_400_000,
    desc: 'how long a hold waits for accept or reject before it lapses as a rejection',
    example: '86400000',
  }),
  REFUND_GRANT_DAYS: positiveInteger({
    default: 30,
    desc: 'how many days a refund grant lasts: the credits a refund gives back when the grants that paid for them have ended',
    example: '30',
  }),
  CATALOG_LEAD_TIME_MS: positiveInteger({
    default: 300_000,
    desc: 'how far ahead a catalog version must start when it is published (credits catalog publish): every projector and quota service reloads the catalog well within it, so a version is known everywhere before it applies',
    example: '300000',
  }),
  CATALOG_REFRESH_MS: positiveInteger({
    default: 10_000,
    desc: 'how often the projector and the quota service reload the catalog (keep it well under CATALOG_LEAD_TIME_MS); an event stamped past what the last load covers reloads it first',
    example: '10000',
  }),
  CREDITS_ASSERT_INVARIANTS: bool({
    default: false,
    desc: 'check the credit invariants on every account state the projector reaches: a message whose state breaks them is dead-lettered as undecidable and nothing is appended after it',
    example: 'true',
  }),
  CREDITS_SETTLED_GENERATIONS_KEPT: positiveInteger({
    default: 1_000,
    desc: "settled generations an account's state remembers: only a shortcut (the durable record of claims decides repeats of any age); lower saves memory per cached account, higher answers more repeats without the store",
    example: '1000',
  }),
  CREDITS_TRACE_ONLY_SOURCES_KEPT: positiveInteger({
    default: 1_000,
    desc: "wire events that left only a record an account's state remembers: a shortcut like CREDITS_SETTLED_GENERATIONS_KEPT",
    example: '1000',
  }),
  PROJECTOR_SNAPSHOT_EVERY_EVENTS: positiveInteger({
    default: 500,
    desc: 'the projector snapshots an account once this many events were appended since its last snapshot (and see PROJECTOR_SNAPSHOT_ON_LEAVING_MIN_EVENTS)',
    example: '500',
  }),
  PROJECTOR_SNAPSHOT_ON_LEAVING_MIN_EVENTS: positiveInteger({
    default: 50,
    desc: "an account leaving the projector's cache (evicted, or at shutdown) is snapshotted only when at least this many events were appended since its last snapshot: fewer fold faster than a snapshot is written and read",
    example: '50',
  }),
  PROJECTOR_METRICS_PORT: port({
    default: 9464,
    desc: "HTTP port of the credit projector's /metrics (Prometheus)",
    example: '9464',
  }),
  PROJECTOR_OPS_ADDRESSES: hostPortList({
    default: [],
    desc: "host:port of each credit projector's /metrics, /health and /ready, comma-separated: credits status asks each why it is or is not ready (default: 127.0.0.1 on PROJECTOR_METRICS_PORT)",
    example: '10.0.0.5:9464,10.0.0.6:9464',
  }),
  PROJECTOR_CRASH_AT: str({
    default: 'none',
    choices: ['none', ...CRASH_POINTS],
    desc: "for fault runs only, taken only where NODE_ENV=test: the point of a chunk's path at which the projector SIGKILLs itself (and see PROJECTOR_CRASH_ON_REACH)",
  }),
  PROJECTOR_CRASH_ON_REACH: positiveInteger({
    default: 1,
    desc: 'for fault runs only: the projector SIGKILLs itself the n-th time a chunk reaches PROJECTOR_CRASH_AT',
    example: '3',
  }),
  PROJECTOR_CRASH_SIGNAL: str({
    default: 'SIGKILL',
    choices: ['SIGKILL', 'SIGSTOP'],
    desc: 'for fault runs only: what the projector sends itself at PROJECTOR_CRASH_AT (SIGSTOP pauses it there, for a run to resume)',
  }),
  PROJECTOR_AMBIGUOUS_COMMIT_EVERY: nonNegativeInteger({
    default: 0,
    desc: 'for fault runs only, taken only where NODE_ENV=test: every n-th append the store commits is reported to the projector as failed, as a connection lost before the answer would (0: never)',
    example: '3',
  }),
  NODE_ENV: str({
    default: 'development',
    desc: 'test (as jest sets it) is the only value that allows the settings fault runs use (PROJECTOR_CRASH_AT, PROJECTOR_AMBIGUOUS_COMMIT_EVERY)',
  }),
  PROJECTOR_SESSION_TIMEOUT_MS: positiveInteger({
    default: 30_000,
    desc: 'how long Kafka waits for a silent credit projector before giving its partitions to another',
    example: '30000',
  }),
  PROJECTOR_PARTITIONS_CONCURRENCY: positiveInteger({
    default: 6,
    desc: 'how many partitions one credit projector works on at once',
    example: '6',
  }),
  PROJECTOR_CACHED_ACCOUNTS: positiveInteger({
    default: 20_000,
    desc: 'how many account states the credit projector keeps in memory (least recently used go first)',
    example: '20000',
  }),
  PROJECTOR_SWEEP_INTERVAL_MS: positiveInteger({
    default: 60_000,
    desc: 'how often the credit projector records due hold lapses and grant ends of idle accounts',
    example: '60000',
  }),
  PROJECTOR_CLOCK_JUMP_ALERT_MS: positiveInteger({
    default: 60_000,
    desc: "a jump of the credit projector's wall clock larger than this (either way, against its monotonic clock, between two sweeper ticks) is logged and counted: the sweeper lapses what is due by the wall clock",
    example: '60000',
  }),
  PROJECTOR_LAG_INTERVAL_MS: positiveInteger({
    default: 5_000,
    desc: "how often the credit projector reads its group's committed and end offsets from the broker, for its lag and readiness",
    example: '5000',
  }),
  PROJECTOR_STALL_AFTER_MS: positiveInteger({
    default: 60_000,
    desc: 'how long a partition with lag may go without progress before the credit projector (and credits status) call it stalled',
    example: '60000',
  }),
  API_KEYS: apiKeys({
    default: [],
    desc: "the quota service's keys: comma-separated role:sha256hex or role:sha256hex:id (roles worker, billing, finance, ops; the id is written as publishedby on what the key posts); npm start makes some when unset",
    example: 'ops:<sha256 of the key in hex>',
  }),
  GENERATION_TIMEOUT_MS: positiveInteger({
    default: 5_000,
    desc: 'how long POST /accounts/{id}/generations waits for the decision before answering 504',
    example: '5000',
  }),
  QUOTA_MAX_IN_FLIGHT: positiveInteger({
    default: 64,
    desc: 'requests the quota service answers at once; past it a new one gets 503 with Retry-After (never /health or /metrics)',
    example: '64',
  }),
  QUOTA_MAX_WAITING_GENERATIONS: positiveInteger({
    default: 2_000,
    desc: 'synchronous generations the quota service lets wait for their decision at once (they wait on the projector, not the CPU, and hold no in-flight place meanwhile); past it a new one gets 503 before anything is published',
    example: '2000',
  }),
  QUOTA_MAX_EVENT_LOOP_DELAY_MS: positiveInteger({
    default: 200,
    desc: "the quota service's event-loop delay (p99 over the last 0.5 s) above which a new request gets 503 with Retry-After",
    example: '200',
  }),
  QUOTA_BASELINE_ROUTE: bool({
    default: false,
    desc: 'serve POST /noop, which checks the key and an authorization body and reads nothing: the baseline npm run bench:quota measures authorizations against; not part of the API, and off unless a benchmark asks',
  }),
  READ_MODELS_CACHED_ACCOUNTS: positiveInteger({
    default: 20_000,
    desc: 'account states each read-model projection keeps in memory',
    example: '20000',
  }),
  REBUILD_CACHED_ACCOUNTS: positiveInteger({
    default: 100_000,
    desc: 'account states `credits projections rebuild` keeps in memory: a rebuild runs once, so it may use more (about 2 KB each) to fold fewer accounts again',
    example: '100000',
  }),
  PORT: port({ default: 3000, desc: 'HTTP port of the quota service', example: '3000' }),
  HOST: str({
    default: '127.0.0.1',
    desc: "address the quota service listens on, and each credit projector's /metrics, /health and /ready",
  }),
  LOG_LEVEL: str({
    default: 'info',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    desc: 'log level of every process',
  }),
  SHUTDOWN_TIMEOUT_MS: positiveInteger({
    default: 15_000,
    desc: 'how long a process may take to stop cleanly before it exits anyway',
    example: '15000',
  }),
} as const;

export type EnvironmentName = keyof typeof environmentSpec;

/**
 * Reads and validates the environment; throws one ConfigError listing every bad variable.
 * A variable set to the empty string counts as unset (as in `KAFKA_BROKERS= npm start`).
 */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env) {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const read = cleanEnv(given, environmentSpec, {
    reporter: ({ errors }) => {
      const problems = Object.entries(errors).map(([name, error]) => {
        const spec = environmentSpec[name as EnvironmentName] as { example?: string };
        const raw = env[name];
        const fix = spec.example
          ? `set it like ${name}=${spec.example}, or unset it for the default`
          : 'fix it, or unset it for the default';
        return `${name}=${JSON.stringify(raw)} is invalid: ${(error as Error).message}; ${fix}`;
      });
      if (problems.length > 0) throw new ConfigError(problems);
    },
  });
  const problems = [...saslProblems(read), ...faultSettingProblems(read)];
  if (problems.length > 0) throw new ConfigError(problems);
  return read;
}

/**
 * Settings that break the process on purpose are taken only where NODE_ENV is `test` (jest sets
 * it, and the test harness passes it to the processes it starts): an allow-list, so a
 * deployment that forgets NODE_ENV refuses them too.
 */
function faultSettingProblems(read: {
  NODE_ENV: string;
  PROJECTOR_CRASH_AT: string;
  PROJECTOR_AMBIGUOUS_COMMIT_EVERY: number;
}): string[] {
  if (read.NODE_ENV === 'test') return [];
  return [
    ...(read.PROJECTOR_CRASH_AT === 'none'
      ? []
      : [
          `PROJECTOR_CRASH_AT=${read.PROJECTOR_CRASH_AT} makes the projector kill itself, for fault runs only (NODE_ENV=test): unset it`,
        ]),
    ...(read.PROJECTOR_AMBIGUOUS_COMMIT_EVERY === 0
      ? []
      : [
          `PROJECTOR_AMBIGUOUS_COMMIT_EVERY=${read.PROJECTOR_AMBIGUOUS_COMMIT_EVERY} reports committed appends as failed, for fault runs only (NODE_ENV=test): unset it`,
        ]),
  ];
}

/** SASL settings go together: a mechanism needs a principal and its password, and vice versa. */
function saslProblems(read: {
  KAFKA_SASL_MECHANISM?: string;
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
}): string[] {
  const { KAFKA_SASL_MECHANISM: mechanism } = read;
  const credentials = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;
  if (mechanism === undefined)
    return credentials
      .filter((name) => read[name] !== undefined)
      .map(
        (name) =>
          `${name} is set but KAFKA_SASL_MECHANISM is not: set it (${SASL_MECHANISMS.join(', ')}), or unset ${name}`,
      );
  return credentials
    .filter((name) => read[name] === undefined)
    .map(
      (name) =>
        `KAFKA_SASL_MECHANISM=${mechanism} needs ${name}: set it, or unset KAFKA_SASL_MECHANISM to connect without authentication`,
    );
}
