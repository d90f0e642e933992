import type { Kafka, Message, Producer } from 'kafkajs';
import { PartitionPlacement } from './partition-placement';

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
  private readonly placement: PartitionPlacement;

  constructor(
    private readonly producer: Pick<Producer, 'send'>,
    kafka: Kafka,
  ) {
    this.placement = new PartitionPlacement(kafka);
  }

  async send(topic: string, messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    const byPartition = new Map<number, Message[]>();
    for (const placed of await this.placement.place(topic, messages)) {
      const partition = placed.partition as number;
      const group = byPartition.get(partition);
      if (group) group.push(placed);
      else byPartition.set(partition, [placed]);
    }
    await Promise.all(
      [...byPartition.values()].map((group) =>
        this.producer.send({ topic, acks: -1, messages: group }),
      ),
    );
  }
}
