import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { readTopic } from '../../../test/harness/editor-events';
import { uniqueName } from '../../../test/harness/run-id';
import { PartitionByPartitionSender } from './partition-by-partition';
import { ensureTopics } from './topics';

describe('sending partition by partition, on the real broker', () => {
  const kafka = new Kafka({
    clientId: uniqueName('partitioned'),
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  it('given keyed messages, then each lands where kafkajs would put its key, in the order sent', async () => {
    const [ours, plain] = [uniqueName('by-partition'), uniqueName('plain')];
    await ensureTopics(admin, [ours, plain], { partitions: 5, replicationFactor: 1 });
    const messages = Array.from({ length: 400 }, (_, index) => ({
      key: `acct-${index % 37}`,
      value: String(index),
    }));

    await new PartitionByPartitionSender(producer, kafka).send(ours, messages);
    await producer.send({ topic: plain, acks: -1, messages });

    const [sent, reference] = await Promise.all([
      readTopic(kafka, ours, messages.length),
      readTopic(kafka, plain, messages.length),
    ]);
    const partitionOf = new Map(reference.map((message) => [message.key, message.partition]));
    expect(sent).toHaveLength(messages.length);
    for (const message of sent) expect(message.partition).toBe(partitionOf.get(message.key));
    const byKey = new Map<string, number[]>();
    for (const message of sent)
      byKey.set(message.key ?? '', [
        ...(byKey.get(message.key ?? '') ?? []),
        Number(message.value),
      ]);
    for (const values of byKey.values()) expect(values).toEqual([...values].sort((a, b) => a - b));
  });
});
