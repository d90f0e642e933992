import { Kafka, logLevel, type EachMessagePayload } from 'kafkajs';
import { uniqueName } from '../harness/run-id';

/** The broker the harness started is a real Kafka: keyed messages go in and come back in order. */
describe('the Kafka broker of the test harness', () => {
  const kafka = new Kafka({
    clientId: uniqueName('roundtrip'),
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    logLevel: logLevel.WARN,
  });

  it('given keyed messages produced to a 3-partition topic, when a consumer group reads it, then each key arrives whole and in order', async () => {
    const topic = uniqueName('roundtrip');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const accounts = ['acct-1', 'acct-2', 'acct-3', 'acct-4'];
    const perAccount = 25;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let sequence = 0; sequence < perAccount; sequence += 1) {
      await producer.send({
        topic,
        messages: accounts.map((account) => ({
          key: account,
          value: JSON.stringify({ account, sequence }),
        })),
      });
    }
    await producer.disconnect();

    const seen = new Map<string, number[]>();
    const partitionsOfKey = new Map<string, Set<number>>();
    const consumer = kafka.consumer({ groupId: uniqueName('roundtrip-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const total = accounts.length * perAccount;
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }: EachMessagePayload) => {
            const key = message.key?.toString() ?? '';
            const body = JSON.parse(message.value?.toString() ?? '{}') as { sequence: number };
            seen.set(key, [...(seen.get(key) ?? []), body.sequence]);
            partitionsOfKey.set(key, (partitionsOfKey.get(key) ?? new Set()).add(partition));
            received += 1;
            if (received === total) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    const inOrder = Array.from({ length: perAccount }, (_, index) => index);
    for (const account of accounts) {
      expect(seen.get(account)).toEqual(inOrder);
      expect(partitionsOfKey.get(account)?.size).toBe(1);
    }
  });
});
