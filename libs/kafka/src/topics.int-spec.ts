import { Kafka, logLevel } from 'kafkajs';
import { uniqueName } from '../../../test/harness/run-id';
import { ensureTopics } from './topics';

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
});
