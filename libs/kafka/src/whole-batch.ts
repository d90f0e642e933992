import type { Kafka, ProducerBatch, RecordMetadata, TopicMessages } from 'kafkajs';
import { CoalescingSender, type CoalescingSenderLimits } from './coalescing-sender';
import { PartitionPlacement } from './partition-placement';

/** Resends of the unacknowledged part of one batch before the batch is failed. */
export const MAX_PARTIAL_RESENDS = 3;

/** Some partitions of a batch were never acknowledged, even sent again. */
export class PartitionsNotAcknowledgedError extends Error {
  constructor(readonly partitions: readonly string[]) {
    super(`Kafka did not acknowledge ${partitions.join(', ')}`);
    this.name = 'PartitionsNotAcknowledgedError';
  }
}

const slot = (topic: string, partition: number): string => `${topic}[${partition}]`;

/**
 * Sends a batch that spans partitions and resolves only when every partition it touches has
 * acknowledged its messages.
 *
 * Why: kafkajs 2.2.4 can resolve such a send when a slice was never written. Across the retries
 * of one send it keeps each broker's answer and resends only to brokers without one; when a
 * partition's leader moves (a broker lost) to a broker that already answered, that partition's
 * messages are never sent again, and the send resolves with the answers it has
 * (tulios/kafkajs#1798, docs/kafka-durability.md). Those answers then lack the partition, which
 * is how it is caught here: its messages are sent again, in their order. Sent twice, an event is
 * still applied once (the ledger keeps each id once).
 *
 * Every message must name its partition (`PartitionPlacement`), so the acknowledgements can be
 * matched to what was sent.
 */
export async function sendBatchWhole(
  sendBatch: (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>,
  topicMessages: readonly TopicMessages[],
  onResend: (partitions: readonly string[]) => void = () => undefined,
): Promise<void> {
  for (const { topic, messages } of topicMessages)
    for (const { partition } of messages)
      if (partition === undefined)
        throw new Error(`a message to ${topic} names no partition: place it before sending`);
  let pending = topicMessages.filter(({ messages }) => messages.length > 0);
  for (let resends = 0; pending.length > 0; resends += 1) {
    const acknowledged = new Set(
      (await sendBatch([...pending]))
        .filter(({ errorCode }) => errorCode === 0)
        .map(({ topicName, partition }) => slot(topicName, partition)),
    );
    pending = pending
      .map(({ topic, messages }) => ({
        topic,
        messages: messages.filter(
          ({ partition }) => !acknowledged.has(slot(topic, partition as number)),
        ),
      }))
      .filter(({ messages }) => messages.length > 0);
    if (pending.length === 0) return;
    const missing = [
      ...new Set(
        pending.flatMap(({ topic, messages }) =>
          messages.map(({ partition }) => slot(topic, partition as number)),
        ),
      ),
    ];
    if (resends === MAX_PARTIAL_RESENDS) throw new PartitionsNotAcknowledgedError(missing);
    onResend(missing);
  }
}

/**
 * One produce request at a time, carrying every message that arrived while the one before was in
 * flight, across topics and partitions (CoalescingSender), each partition acknowledged or its
 * messages sent again (sendBatchWhole). Every message is placed by its key first, as the
 * DefaultPartitioner would (PartitionPlacement).
 */
export function coalescedWholeSender(
  kafka: Kafka,
  producer: { sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> },
  limits: CoalescingSenderLimits,
  onResend: (partitions: readonly string[]) => void,
): CoalescingSender {
  const placement = new PartitionPlacement(kafka);
  return new CoalescingSender(
    async (topicMessages) =>
      sendBatchWhole(
        (batch) => producer.sendBatch({ acks: -1, topicMessages: batch }),
        await Promise.all(
          topicMessages.map(async ({ topic, messages }) => ({
            topic,
            messages: await placement.place(topic, messages),
          })),
        ),
        onResend,
      ),
    limits,
  );
}
