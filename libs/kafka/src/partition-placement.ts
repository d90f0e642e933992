import { Partitioners, type Admin, type Kafka, type Message } from 'kafkajs';

/**
 * Where kafkajs's DefaultPartitioner (murmur2 of the key, as the Java clients) puts each message,
 * decided before sending, so a sender knows which partitions a request must reach.
 */
export class PartitionPlacement {
  private readonly partitionsOf = new Map<string, Promise<number>>();
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(private readonly kafka: Kafka) {}

  /** The messages, each with the partition its key maps to. */
  async place(topic: string, messages: readonly Message[]): Promise<Message[]> {
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
    return messages.map((message) => ({
      ...message,
      partition: this.partitioner({ topic, partitionMetadata, message }),
    }));
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
