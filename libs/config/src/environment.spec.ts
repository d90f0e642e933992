import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from './app-config';
import { ConfigError } from './config-error';
import { environmentSpec } from './environment';

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration from the environment', () => {
  it('given nothing set, when loaded, then every setting has its documented default', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      kafka: {
        brokers: ['127.0.0.1:9092'],
        clientId: 'image-credits',
        topicPartitions: 6,
        replicationFactor: 1,
        minInsyncReplicas: 1,
        connectTimeoutMs: 10_000,
        topicPrefix: '',
        ssl: false,
      },
      eventStore: { adapter: 'postgres' },
      credits: {
        holdTimeoutMs: 86_400_000,
        refundGrantDays: 30,
        assertInvariants: false,
        settledGenerationsKept: 1_000,
        recordOnlySourcesKept: 1_000,
        catalogLeadTimeMs: 300_000,
        catalogRefreshMs: 10_000,
      },
      projector: {
        metricsPort: 9464,
        sessionTimeoutMs: 30_000,
        partitionsConcurrency: 6,
        cachedAccounts: 20_000,
        snapshotEveryEvents: 500,
        snapshotOnLeavingMinEvents: 50,
        sweepIntervalMs: 60_000,
        clockJumpAlertMs: 60_000,
        opsAddresses: ['127.0.0.1:9464'],
        lagIntervalMs: 5_000,
        stallAfterMs: 60_000,
        crashAt: null,
        crashOnReach: 1,
        crashSignal: 'SIGKILL',
        ambiguousCommitEvery: null,
      },
      database: {
        url: 'postgres://postgres@127.0.0.1:5432/image_credits',
        leaderLockTimeoutMs: 5_000,
      },
      http: { host: '127.0.0.1', port: 3000 },
      quota: {
        apiKeys: [],
        generationTimeoutMs: 5_000,
        readModelCachedAccounts: 20_000,
        maxInFlight: 64,
        maxWaitingGenerations: 2_000,
        maxEventLoopDelayMs: 200,
        baselineRoute: false,
      },
      rebuild: { cachedAccounts: 100_000 },
      logLevel: 'info',
      shutdownTimeoutMs: 15_000,
    });
  });

  it('given valid values, when loaded, then they are parsed into their types', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:19092',
      KAFKA_TOPIC_PARTITIONS: '12',
      DATABASE_URL: 'postgresql://app:secret@db.internal:6543/ledger',
      PORT: '8080',
    });
    expect(config.kafka.brokers).toEqual(['kafka-1:9092', 'kafka-2:19092']);
    expect(config.kafka.topicPartitions).toBe(12);
    expect(config.database.url).toBe('postgresql://app:secret@db.internal:6543/ledger');
    expect(config.http.port).toBe(8080);
  });

  it('given API_KEYS, when loaded, then each role, hash and id is read; a bad pair is named', () => {
    const hash = 'a'.repeat(64);
    const keys = loadConfig({
      API_KEYS: `worker:${hash}, ops:${hash.toUpperCase()}, billing:${'b'.repeat(64)}:stripe-sync`,
    }).quota.apiKeys;
    expect(keys).toEqual([
      { role: 'worker', sha256: hash, id: expect.stringMatching(/^worker-[0-9a-f]{10}$/) },
      { role: 'ops', sha256: hash, id: expect.stringMatching(/^ops-[0-9a-f]{10}$/) },
      { role: 'billing', sha256: 'b'.repeat(64), id: 'stripe-sync' },
    ]);
    // Without an id, a fingerprint that stays the same and is neither the key nor its hash.
    expect(loadConfig({ API_KEYS: `worker:${hash}` }).quota.apiKeys[0]?.id).toBe(keys[0]?.id);
    expect(keys[0]?.id).not.toContain(hash.slice(0, 10));
    expect(() => loadConfig({ API_KEYS: `admin:${hash}` })).toThrow(
      /API_KEYS=.*does not start with a role \(worker, billing, finance, ops\)/,
    );
    expect(() => loadConfig({ API_KEYS: 'ops:abc' })).toThrow(/64 hex digits/);
    expect(() => loadConfig({ API_KEYS: `ops:${hash}:not ok` })).toThrow(/id "not ok" is not/);
    expect(() => loadConfig({ API_KEYS: `ops:${hash}:k1,worker:${'c'.repeat(64)}:k1` })).toThrow(
      /two keys have the id k1/,
    );
  });

  it('given SASL settings, when loaded, then they come together or are refused with what is missing', () => {
    expect(
      loadConfig({
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'credit-projector',
        KAFKA_SASL_PASSWORD: 'secret',
        KAFKA_SSL: 'true',
      }).kafka,
    ).toMatchObject({
      sasl: { mechanism: 'scram-sha-512', username: 'credit-projector', password: 'secret' },
      ssl: true,
    });
    expect(loadConfig({}).kafka).toMatchObject({ ssl: false });
    expect(loadConfig({}).kafka.sasl).toBeUndefined();
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toThrow(
      /KAFKA_SASL_MECHANISM=scram-sha-256 needs KAFKA_SASL_USERNAME/,
    );
    expect(() => loadConfig({ KAFKA_SASL_USERNAME: 'ops' })).toThrow(
      /KAFKA_SASL_USERNAME is set but KAFKA_SASL_MECHANISM is not/,
    );
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });

  it('given EVENT_STORE=eventstoredb, when loaded, then the connection string comes with it', () => {
    const config = loadConfig({
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: 'kurrentdb://store:2113?tls=false',
    });
    expect(config.eventStore).toEqual({
      adapter: 'eventstoredb',
      connectionString: 'kurrentdb://store:2113?tls=false',
    });
  });

  it.each([
    ['KAFKA_BROKERS', 'localhost', 'host:port'],
    ['KAFKA_BROKERS', 'kafka:99999', 'host:port'],
    ['KAFKA_TOPIC_PARTITIONS', '0', 'at least 1'],
    ['KAFKA_TOPIC_PARTITIONS', 'six', 'at least 1'],
    ['DATABASE_URL', 'mysql://root@localhost/db', 'postgres://'],
    ['DATABASE_URL', 'postgres://postgres@localhost:5432', 'names no database'],
    ['DATABASE_URL', 'not a url', 'URL'],
    ['PORT', 'abc', 'port'],
    ['LOG_LEVEL', 'loud', 'loud'],
  ])(
    'given %s=%j, when loaded, then one line names the variable, the value and the fix',
    (name, value, hint) => {
      const problems = problemsOf({ [name]: value });
      expect(problems).toHaveLength(1);
      const [line] = problems;
      expect(line).toContain(`${name}=${JSON.stringify(value)} is invalid`);
      expect(line).toContain(hint);
      expect(line).toMatch(/set it like|fix it/);
      expect(line).not.toContain('\n');
    },
  );

  it('given several bad variables, when loaded, then each gets its own line', () => {
    const problems = problemsOf({ PORT: '-1', KAFKA_BROKERS: 'x', KAFKA_REPLICATION_FACTOR: 'x' });
    expect(problems.map((line) => line.split('=')[0]).sort()).toEqual([
      'KAFKA_BROKERS',
      'KAFKA_REPLICATION_FACTOR',
      'PORT',
    ]);
  });

  it('given a variable set to the empty string, when loaded, then it takes its default', () => {
    expect(loadConfig({ KAFKA_BROKERS: '', PORT: '' }).kafka.brokers).toEqual(['127.0.0.1:9092']);
  });

  it('given a replication factor of 3, then writes need two in-sync replicas unless told otherwise', () => {
    expect(loadConfig({ KAFKA_REPLICATION_FACTOR: '3' }).kafka.minInsyncReplicas).toBe(2);
    expect(
      loadConfig({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '3' }).kafka
        .minInsyncReplicas,
    ).toBe(3);
  });

  it('given a crash point of the fault runs, then it is read where NODE_ENV is test, and refused anywhere else, saying why', () => {
    expect(
      loadConfig({
        PROJECTOR_CRASH_AT: 'after-publish',
        PROJECTOR_CRASH_ON_REACH: '3',
        NODE_ENV: 'test',
      }).projector,
    ).toMatchObject({ crashAt: 'after-publish', crashOnReach: 3 });
    expect(problemsOf({ PROJECTOR_CRASH_AT: 'after-publish' })).toEqual([
      expect.stringMatching(/^PROJECTOR_CRASH_AT=after-publish .*fault runs only/),
    ]);
    expect(problemsOf({ PROJECTOR_CRASH_AT: 'after-publish', NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^PROJECTOR_CRASH_AT=after-publish .*fault runs only/),
    ]);
    expect(loadConfig({ NODE_ENV: 'production' }).projector.crashAt).toBeNull();
    expect(problemsOf({ PROJECTOR_AMBIGUOUS_COMMIT_EVERY: '3', NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^PROJECTOR_AMBIGUOUS_COMMIT_EVERY=3 .*fault runs only/),
    ]);
    expect(
      loadConfig({ PROJECTOR_AMBIGUOUS_COMMIT_EVERY: '3', NODE_ENV: 'test' }).projector
        .ambiguousCommitEvery,
    ).toBe(3);
  });

  it('documents every variable in the configuration table (docs/configuration.md)', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../../docs/configuration.md'), 'utf8');
    for (const name of Object.keys(environmentSpec)) {
      expect(readme).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
    }
  });
});
