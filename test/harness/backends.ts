import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
// A relative path: jest loads the global setup without the path aliases.
import { ensureTopics } from '../../libs/kafka/src/topics';
// The harness's own kafkajs clients get the fix the apps run with (a timer per connection).
import '../../libs/kafka/src/kafkajs-request-queue';

const run = promisify(execFile);
// From test/harness under ts-jest, or dist/test/harness when a benchmark runs compiled.
export const repositoryRoot = path.resolve(
  __dirname,
  path.basename(path.resolve(__dirname, '../..')) === 'dist' ? '../../..' : '../..',
);
const kafkaScript = path.join(repositoryRoot, 'infra/kafka/kafka.sh');

/** Where the integration tests find Kafka and PostgreSQL, and how to put them away afterwards. */
export interface TestServices {
  readonly description: string;
  readonly kafkaBrokers: string;
  /** A server URL; each test run makes its own database on it. */
  readonly postgresServerUrl: string;
  stop(): Promise<void>;
}

export type BackendName = 'containers' | 'local';

/**
 * Containers where a Docker engine answers, the local broker and server otherwise.
 * TEST_BACKEND=local|containers overrides the choice.
 */
export async function chooseBackend(): Promise<{ name: BackendName; reason: string }> {
  const forced = process.env.TEST_BACKEND;
  if (forced === 'local' || forced === 'containers')
    return { name: forced, reason: 'TEST_BACKEND' };
  if (forced) throw new Error(`TEST_BACKEND=${forced} is not local or containers`);
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return { name: 'containers', reason: 'a Docker engine answers' };
  } catch (error) {
    return { name: 'local', reason: `no Docker engine (${(error as Error).message})` };
  }
}

export async function startContainers(): Promise<TestServices> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [kafka, postgres] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.9.0')
      .withKraft()
      .withEnvironment({ KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0' })
      .start(),
    new PostgreSqlContainer('postgres:16-alpine').withUsername('postgres').start(),
  ]);
  const kafkaBrokers = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
  const serverUrl = new URL(postgres.getConnectionUri());
  serverUrl.pathname = '/postgres';
  return {
    description: `containers: Kafka ${kafkaBrokers}, PostgreSQL ${serverUrl.host}`,
    kafkaBrokers,
    postgresServerUrl: serverUrl.toString(),
    stop: async () => {
      await Promise.all([kafka.stop(), postgres.stop()]);
    },
  };
}

async function localBrokerRuns(): Promise<boolean> {
  try {
    await run('bash', [kafkaScript, 'status']);
    return true;
  } catch {
    return false;
  }
}

/**
 * A broker just started accepts connections before it can serve a new topic's partitions ("does
 * not host this topic-partition" on the first send): wait until a probe topic takes a message.
 */
async function untilBrokerServes(brokers: string, timeoutMs = 60_000): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: 'harness-probe',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const topic = `harness-probe-${Date.now().toString(36)}`;
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const deadline = Date.now() + timeoutMs;
  await admin.connect();
  await producer.connect();
  try {
    await ensureTopics(admin, [topic], { partitions: 1, replicationFactor: 1 });
    for (;;) {
      try {
        await producer.send({ topic, acks: -1, messages: [{ value: 'probe' }] });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * The local KRaft broker (started here unless it already runs or KAFKA_BROKERS names another)
 * and the PostgreSQL server at DATABASE_URL (default the local one).
 */
export async function startLocal(): Promise<TestServices> {
  let kafkaBrokers = process.env.KAFKA_BROKERS;
  let startedBroker = false;
  let brokerNote = 'given by KAFKA_BROKERS';
  if (!kafkaBrokers) {
    startedBroker = !(await localBrokerRuns());
    await run('bash', [kafkaScript, 'start'], { timeout: 180_000 });
    kafkaBrokers = `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
    if (startedBroker) await untilBrokerServes(kafkaBrokers);
    brokerNote = startedBroker
      ? 'local KRaft broker, started for this run'
      : 'local KRaft broker, already running';
  }
  const serverUrl = new URL(
    process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  );
  serverUrl.pathname = '/postgres';
  return {
    description: `local: Kafka ${kafkaBrokers} (${brokerNote}), PostgreSQL ${serverUrl.host}`,
    kafkaBrokers,
    postgresServerUrl: serverUrl.toString(),
    stop: async () => {
      if (startedBroker) await run('bash', [kafkaScript, 'stop']);
    },
  };
}

/** Where the EventStoreDB conformance run finds a server, or why it is skipped. */
export type EventStoreDbTarget =
  | { readonly connectionString: string; readonly stop: () => Promise<void> }
  | { readonly skipped: string };

const EVENTSTOREDB_IMAGE = 'docker.kurrent.io/kurrent-latest/kurrentdb:25.0';

/**
 * EventStoreDB only ships as a container here: started through testcontainers where a Docker
 * engine answers, or taken from EVENTSTORE_CONNECTION_STRING.
 */
export async function startEventStoreDb(backend: {
  name: BackendName;
  reason: string;
}): Promise<EventStoreDbTarget> {
  const given = process.env.EVENTSTORE_CONNECTION_STRING;
  if (given) return { connectionString: given, stop: async () => undefined };
  if (backend.name !== 'containers') return { skipped: backend.reason };
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(EVENTSTOREDB_IMAGE)
    .withEnvironment({
      KURRENTDB_INSECURE: 'true',
      KURRENTDB_RUN_PROJECTIONS: 'None',
      KURRENTDB_MEM_DB: 'true',
    })
    .withExposedPorts(2113)
    .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
    .start();
  return {
    connectionString: `kurrentdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`,
    stop: async () => {
      await container.stop();
    },
  };
}
