import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseInputEventMessage } from '@credits/contract';
import { partitionOfKey, topicNames } from '@credits/kafka';
import { kafkaClient, readTopic } from '../harness/editor-events';
import { isolatedPrefix } from '../harness/projector';

const run = promisify(execFile);
const EXAMPLES = path.resolve(__dirname, '../../examples/producers');
const PARTITIONS = 6;
const ACCOUNTS = ['agency-42', 'acct_0001', 'brokerage:north', 'agency.south', 'x.y_z-1', 'b'];

/** Debian's python3 carries python3-confluent-kafka; a pyenv python first on PATH may not. */
const PYTHON = ['python3', '/usr/bin/python3'].find(
  (python) => spawnSync(python, ['-c', 'import confluent_kafka']).status === 0,
);
const KCAT = spawnSync('kcat', ['-V']).status === 0;
const unavailable = [
  PYTHON ? null : 'Python with confluent-kafka (apt-get install python3-confluent-kafka)',
  KCAT ? null : 'kcat (apt-get install kcat)',
].filter((missing) => missing !== null);
if (unavailable.length > 0)
  console.warn(`producer examples skipped, not installed here: ${unavailable.join('; ')}`);

const kafkajsPartitionOf = (key: string): number => partitionOfKey(key, PARTITIONS);

/**
 * examples/producers, run as a user would against the real broker: each event they send is a
 * valid editor event keyed by its account, on the partition kafkajs would have chosen.
 */
describe('the producer examples (kcat, Python with confluent-kafka)', () => {
  const kafka = kafkaClient('producer-examples-tests');

  async function producedBy(
    example: (account: string, generation: string, env: NodeJS.ProcessEnv) => Promise<unknown>,
    partitioner: string,
  ): Promise<{ key: string | null; partition: number; problems: string[] }[]> {
    const prefix = isolatedPrefix('examples');
    const topic = topicNames(prefix).editorEvents;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    const env = {
      ...process.env,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONER: partitioner,
    };
    for (const [index, account] of ACCOUNTS.entries()) await example(account, `gen-${index}`, env);
    const read = await readTopic(kafka, topic, ACCOUNTS.length);
    return read.map(({ key, value, partition }) => {
      const parsed = parseInputEventMessage(
        key === null ? null : Buffer.from(key),
        Buffer.from(value),
        'editorEvents',
      );
      return {
        key,
        partition,
        problems: 'rejection' in parsed ? parsed.rejection.details : [],
      };
    });
  }

  const python = (account: string, generation: string, env: NodeJS.ProcessEnv) =>
    run(
      PYTHON as string,
      [path.join(EXAMPLES, 'produce.py'), account, generation, 'twilight', '4K'],
      {
        env,
      },
    );
  const kcat = (account: string, generation: string, env: NodeJS.ProcessEnv) =>
    run('bash', [path.join(EXAMPLES, 'produce-kcat.sh'), account, generation, 'twilight', '4K'], {
      env,
    });
  const expected = ACCOUNTS.map((key) => ({
    key,
    partition: kafkajsPartitionOf(key),
    problems: [],
  }));
  const byKey = (rows: { key: string | null }[]) =>
    [...rows].sort((a, b) => String(a.key).localeCompare(String(b.key)));

  (PYTHON ? it : it.skip)(
    'given produce.py, then each account’s event is valid and on the partition kafkajs picks',
    async () => {
      expect(byKey(await producedBy(python, 'murmur2_random'))).toEqual(byKey(expected));
    },
  );

  (KCAT ? it : it.skip)(
    'given produce-kcat.sh, then each account’s event is valid and on the partition kafkajs picks',
    async () => {
      expect(byKey(await producedBy(kcat, 'murmur2_random'))).toEqual(byKey(expected));
    },
  );

  (PYTHON ? it : it.skip)(
    'given librdkafka’s default partitioner (consistent_random), then some accounts land elsewhere: why the examples set murmur2_random',
    async () => {
      const produced = await producedBy(python, 'consistent_random');
      const elsewhere = produced.filter(
        ({ key, partition }) => partition !== kafkajsPartitionOf(key as string),
      );
      expect(elsewhere.length).toBeGreaterThan(0);
    },
  );
});
