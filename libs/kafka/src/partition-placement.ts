import {
  Partitioners,
  type Admin,
  type Kafka,
  type Message,
  type PartitionMetadata,
} from 'kafkajs';

/**
 * A topic's partitions as kafkajs's partitioners read them: only their count and which have
 * leaders matter (the latter for keyless messages, which this project never sends).
 */
function partitionsNumbered(count: number): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [],
    isr: [],
    partitionErrorCode: 0,
  }));
}

/**
 * The partition an account's key goes to among `count`: murmur2 of the key, as kafkajs's
 * DefaultPartitioner and the Java client compute it. Every producer must agree on it.
 */
export function partitionOfKey(key: string, count: number): number {
  return Partitioners.DefaultPartitioner()({
    topic: '',
    partitionMetadata: partitionsNumbered(count),
    message: { key, value: null },
  });
}

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
    const partitionMetadata = partitionsNumbered(await this.partitionCount(topic));
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
