import type { RecordMetadata, TopicMessages } from 'kafkajs';
import { MAX_PARTIAL_RESENDS, PartitionsNotAcknowledgedError, sendBatchWhole } from './whole-batch';

const acknowledged = (topicName: string, partition: number, errorCode = 0): RecordMetadata => ({
  topicName,
  partition,
  errorCode,
});

/** What a batch to the two input topics looks like once placed. */
const batch: TopicMessages[] = [
  {
    topic: 'editor-events',
    messages: [
      { key: 'a', value: '1', partition: 0 },
      { key: 'b', value: '2', partition: 1 },
      { key: 'a', value: '3', partition: 0 },
    ],
  },
  { topic: 'billing-events', messages: [{ key: 'c', value: '4', partition: 1 }] },
];

/** Answers like kafkajs: one entry per partition acknowledged, leaving out those in `dropped`. */
function kafkaAnswering(...dropped: Set<string>[]) {
  const sent: TopicMessages[][] = [];
  const sendBatch = async (topicMessages: TopicMessages[]): Promise<RecordMetadata[]> => {
    const drop = dropped[sent.length] ?? new Set<string>();
    sent.push(topicMessages);
    return topicMessages.flatMap(({ topic, messages }) =>
      [...new Set(messages.map(({ partition }) => partition as number))]
        .filter((partition) => !drop.has(`${topic}[${partition}]`))
        .map((partition) => acknowledged(topic, partition)),
    );
  };
  return { sent, sendBatch };
}

describe('sendBatchWhole', () => {
  it('given every partition acknowledged, when a batch is sent, then it is sent once', async () => {
    const kafka = kafkaAnswering();
    await sendBatchWhole(kafka.sendBatch, batch);
    expect(kafka.sent).toEqual([batch]);
  });

  it('given an answer without one partition (a leader moved, tulios/kafkajs#1798), when a batch is sent, then that partition’s messages are sent again, in order, and nothing else', async () => {
    const kafka = kafkaAnswering(new Set(['editor-events[0]']));
    const resent: (readonly string[])[] = [];
    await sendBatchWhole(kafka.sendBatch, batch, (partitions) => resent.push(partitions));
    expect(kafka.sent[1]).toEqual([
      {
        topic: 'editor-events',
        messages: [
          { key: 'a', value: '1', partition: 0 },
          { key: 'a', value: '3', partition: 0 },
        ],
      },
    ]);
    expect(resent).toEqual([['editor-events[0]']]);
  });

  it('given a partition answered with an error code, when a batch is sent, then it counts as not acknowledged', async () => {
    const sent: TopicMessages[][] = [];
    await sendBatchWhole(async (topicMessages) => {
      sent.push(topicMessages);
      return sent.length === 1
        ? [
            acknowledged('editor-events', 0),
            acknowledged('editor-events', 1, 6),
            acknowledged('billing-events', 1),
          ]
        : [acknowledged('editor-events', 1)];
    }, batch);
    expect(sent[1]).toEqual([
      { topic: 'editor-events', messages: [{ key: 'b', value: '2', partition: 1 }] },
    ]);
  });

  it('given a partition never acknowledged, when a batch is sent, then it fails naming it after a bounded number of resends', async () => {
    const never = new Set(['billing-events[1]']);
    const kafka = kafkaAnswering(...Array.from({ length: MAX_PARTIAL_RESENDS + 1 }, () => never));
    await expect(sendBatchWhole(kafka.sendBatch, batch)).rejects.toEqual(
      new PartitionsNotAcknowledgedError(['billing-events[1]']),
    );
    expect(kafka.sent).toHaveLength(MAX_PARTIAL_RESENDS + 1);
  });

  it('given a message that names no partition, when a batch is sent, then nothing is sent', async () => {
    const kafka = kafkaAnswering();
    await expect(
      sendBatchWhole(kafka.sendBatch, [{ topic: 'editor-events', messages: [{ value: 'x' }] }]),
    ).rejects.toThrow('names no partition');
    expect(kafka.sent).toEqual([]);
  });
});
