import { Kafka, logLevel } from 'kafkajs';
import { uniqueName } from '../../../test/harness/run-id';
import { ensureContractTopics, ensureTopics, inputTopicsMismatch, topicNames } from './topics';

describe('ensureTopics on the real broker', () => {
  const kafka = new Kafka({
    clientId: uniqueName('topics'),
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();

  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  it('given missing topics, when ensured, then they exist with the configured partitions, and ensuring again changes nothing', async () => {
    const names = [uniqueName('events'), uniqueName('decisions')];

    const created = await ensureTopics(admin, names, { partitions: 4, replicationFactor: 1 });
    expect(created.sort()).toEqual([...names].sort());

    const again = await ensureTopics(admin, names, { partitions: 9, replicationFactor: 1 });
    expect(again).toEqual([]);

    const metadata = await admin.fetchTopicMetadata({ topics: names });
    for (const topic of metadata.topics) expect(topic.partitions).toHaveLength(4);
  });

  it('given an editor-events of 3 partitions, when the contract topics are ensured for 4, then billing-events gets 3 and the others 4', async () => {
    const topics = topicNames(`${uniqueName('contract')}.`);
    await ensureTopics(admin, [topics.editorEvents], { partitions: 3, replicationFactor: 1 });

    const created = await ensureContractTopics(admin, topics, {
      partitions: 4,
      replicationFactor: 1,
    });
    expect(created.sort()).toEqual(
      [
        topics.billingEvents,
        topics.creditDecisions,
        topics.creditNotifications,
        topics.editorEventsDeadLetters,
      ].sort(),
    );
    const { topics: found } = await admin.fetchTopicMetadata({ topics: Object.values(topics) });
    const counts = Object.fromEntries(found.map((t) => [t.name, t.partitions.length]));
    expect(counts).toEqual({
      [topics.editorEvents]: 3,
      [topics.billingEvents]: 3,
      [topics.creditDecisions]: 4,
      [topics.creditNotifications]: 4,
      [topics.editorEventsDeadLetters]: 4,
    });
    expect(await inputTopicsMismatch(admin, topics)).toBeNull();
  });

  it('given input topics of different counts, then the mismatch is named with its fix', async () => {
    const topics = topicNames(`${uniqueName('mismatch')}.`);
    await ensureTopics(admin, [topics.editorEvents], { partitions: 2, replicationFactor: 1 });
    await ensureTopics(admin, [topics.billingEvents], { partitions: 3, replicationFactor: 1 });
    expect(await inputTopicsMismatch(admin, topics)).toBe(
      `${topics.billingEvents} has 3 partitions and ${topics.editorEvents} has 2: they must have the same count, so each account's events of both land on the same partition number (add partitions to the smaller one with kafka-topics.sh --alter)`,
    );
  });
});
