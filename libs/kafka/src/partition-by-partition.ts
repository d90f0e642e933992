import { Partitioners, type Admin, type Kafka, type Message, type Producer } from 'kafkajs';

/**
 * kafkajs 2.2.4 can resolve a send of which a slice was never written. Across the retries of one
 * send it keeps each broker's answer, and resends only to brokers without one; when a partition's
 * leader moves (a broker lost) to a broker that already answered, that partition's messages are
 * never sent again, and the send resolves (tulios/kafkajs#1798, open). A fault run lost 123 of
 * 10,115 acknowledged messages so. A send that touches one partition reaches one broker and is
 * retried whole, so messages are grouped by partition here, as kafkajs's DefaultPartitioner
 * (murmur2 of the key, like the Java clients) would place them, and each partition's messages
 * are sent on their own, at the same time.
 */
export class PartitionByPartitionSender {
  private readonly partitionsOf = new Map<string, Promise<number>>();
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(
    private readonly producer: Pick<Producer, 'send'>,
    private readonly kafka: Kafka,
  ) {}

  async send(topic: string, messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    const count = await this.partitionCount(topic);
    // The partitioner reads only the count and which partitions have leaders (for keyless
    // messages, which this project never sends).
    const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [],
      isr: [],
      partitionErrorCode: 0,
    }));
    const byPartition = new Map<number, Message[]>();
    for (const message of messages) {
      const partition = this.partitioner({ topic, partitionMetadata, message });
      const group = byPartition.get(partition);
      const placed = { ...message, partition };
      if (group) group.push(placed);
      else byPartition.set(partition, [placed]);
    }
    await Promise.all(
      [...byPartition.values()].map((group) =>
        this.producer.send({ topic, acks: -1, messages: group }),
      ),
    );
  }

  /** A topic's partitions never change under the apps (they never repartition): asked once. */
  private partitionCount(topic: string): Promise<number> {
    let count = this.partitionsOf.get(topic);
    if (!count) {
      count = this.fetchPartitionCount(topic);
      this.partitionsOf.set(topic, count);
      count.catch(() => this.partitionsOf.delete(topic));
    }
    return count;
  }

  private async fetchPartitionCount(topic: string): Promise<number> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const count = topics[0]?.partitions.length ?? 0;
      if (count === 0) throw new Error(`topic ${topic} has no partitions`);
      return count;
    } finally {
      await admin.disconnect();
    }
  }
}
