import { Partitioners, type Kafka } from 'kafkajs';
import { DeadLetterHeaders } from '@credits/contract';
import { PartitionByPartitionSender, type TopicNames } from '@credits/kafka';
import type { DeadLetter } from './dead-letters';

/** The input topics a dead letter can be put back on, by their contract names. */
export const REPLAY_TARGETS = {
  'editor-events': 'editorEvents',
  'billing-events': 'billingEvents',
} as const satisfies Record<string, keyof TopicNames>;

export type ReplayTarget = keyof typeof REPLAY_TARGETS;

export function isReplayTarget(name: string): name is ReplayTarget {
  return Object.hasOwn(REPLAY_TARGETS, name);
}

/** Where a letter was read, when that is one of this deployment's input topics; else editor-events. */
function originalInputTopic(letter: DeadLetter, topics: TopicNames): string {
  const from = letter.headers[DeadLetterHeaders.topic];
  return from === topics.billingEvents ? topics.billingEvents : topics.editorEvents;
}

/**
 * Puts dead letters back on the input topic they were read from, or on `target` (for letters
 * sent to the wrong one), unchanged but for the dead-letter headers, which give way to
 * `replayed-from`. Same ids: what already took effect is not charged again. Returns, per topic,
 * the letters put on it.
 */
export async function replayDeadLetters(
  kafka: Kafka,
  topics: TopicNames,
  letters: readonly DeadLetter[],
  target?: ReplayTarget,
): Promise<Map<string, string[]>> {
  const byTopic = new Map<string, DeadLetter[]>();
  for (const letter of letters) {
    const topic =
      target === undefined ? originalInputTopic(letter, topics) : topics[REPLAY_TARGETS[target]];
    const group = byTopic.get(topic);
    if (group) group.push(letter);
    else byTopic.set(topic, [letter]);
  }
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const sender = new PartitionByPartitionSender(producer, kafka);
    for (const [topic, group] of byTopic)
      await sender.send(
        topic,
        group.map((letter) => ({
          key: letter.key,
          value: letter.value,
          headers: {
            ...Object.fromEntries(
              Object.entries(letter.headers).filter(([name]) => !name.startsWith('dlq-')),
            ),
            'replayed-from': `${topics.editorEventsDeadLetters}/${letter.at}`,
          },
        })),
      );
  } finally {
    await producer.disconnect();
  }
  return new Map([...byTopic].map(([topic, group]) => [topic, group.map((letter) => letter.at)]));
}
