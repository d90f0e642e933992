import type { Admin } from 'kafkajs';

/**
 * The topics of ../shared/CONTRACT.md. (The contract library names the input topics too, for its
 * wrong_topic messages; topics.spec.ts holds the two equal. This file imports nothing of the
 * project: the test harness's global setup loads it without path mapping.)
 */
export const Topics = {
  editorEvents: 'editor-events',
  billingEvents: 'billing-events',
  creditDecisions: 'credit-decisions',
  creditNotifications: 'credit-notifications',
  editorEventsDeadLetters: 'editor-events-dlq',
} as const;

export type TopicRole = keyof typeof Topics;
export type TopicNames = { readonly [role in TopicRole]: string };

/** The contract's topics under a deployment's prefix (KAFKA_TOPIC_PREFIX; none by default). */
export function topicNames(prefix: string): TopicNames {
  return {
    editorEvents: `${prefix}${Topics.editorEvents}`,
    billingEvents: `${prefix}${Topics.billingEvents}`,
    creditDecisions: `${prefix}${Topics.creditDecisions}`,
    creditNotifications: `${prefix}${Topics.creditNotifications}`,
    editorEventsDeadLetters: `${prefix}${Topics.editorEventsDeadLetters}`,
  };
}

/**
 * The input topics, usage first: the projector consumes both as the single writer of each
 * account, and an account's partition of each has the same number (same key, same count).
 */
export function inputTopicNames(topics: TopicNames): [string, string] {
  return [topics.editorEvents, topics.billingEvents];
}

/**
 * Why the input topics cannot be consumed together, or null: an account's events must land on the
 * same partition number of each, which holds only when they have the same partition count.
 */
export async function inputTopicsMismatch(
  admin: Admin,
  topics: TopicNames,
): Promise<string | null> {
  const [usage, billing] = inputTopicNames(topics);
  const { topics: found } = await admin.fetchTopicMetadata({ topics: [usage, billing] });
  const count = (name: string) => found.find((t) => t.name === name)?.partitions.length ?? 0;
  if (count(usage) === count(billing)) return null;
  return (
    `${billing} has ${count(billing)} partitions and ${usage} has ${count(usage)}: ` +
    `they must have the same count, so each account's events of both land on the same ` +
    `partition number (add partitions to the smaller one with kafka-topics.sh --alter)`
  );
}

/**
 * Creates whichever contract topics are missing. An input topic is created with the partition
 * count of the input topic that exists already (billing-events added beside an editor-events of
 * 6 partitions gets 6, whatever KAFKA_TOPIC_PARTITIONS says); the rest with `layout`.
 */
export async function ensureContractTopics(
  admin: Admin,
  topics: TopicNames,
  layout: TopicLayout,
): Promise<string[]> {
  const inputs = inputTopicNames(topics);
  const existing = new Set(await admin.listTopics());
  const present = inputs.filter((name) => existing.has(name));
  let inputLayout = layout;
  if (present.length > 0) {
    const { topics: found } = await admin.fetchTopicMetadata({ topics: [present[0] as string] });
    const partitions = found[0]?.partitions.length ?? 0;
    if (partitions > 0) inputLayout = { ...layout, partitions };
  }
  const others = Object.values(topics).filter((name) => !inputs.includes(name));
  const created = [
    ...(await ensureTopics(admin, inputs, inputLayout, existing)),
    // What this system writes is stamped by the broker: retention then counts from when a
    // message was written, not from a writer's clock (a projector whose clock was set back had
    // its dead letters and decisions deleted by the 24 h retention as they were written).
    ...(await ensureTopics(admin, others, { ...layout, brokerTimestamps: true }, existing)),
  ];
  // Topics another process has just created are listed before their leaders are elected, and
  // kafkajs does not wait for topics it did not create: a first send or offset fetch would fail
  // with "unknown topic" (seen when npm start began the projector and the quota service at once).
  await untilLeadersElected(admin, Object.values(topics));
  return created;
}

export interface TopicLayout {
  readonly partitions: number;
  readonly replicationFactor: number;
  /** How many replicas must have a write before an `acks=all` producer is told it is written. */
  readonly minInsyncReplicas?: number;
  /** Messages stamped with the broker's time when written (LogAppendTime), not the producer's. */
  readonly brokerTimestamps?: boolean;
}

/**
 * Creates whichever of the given topics the cluster lacks; topics that exist are left as they are
 * (repartitioning a keyed topic would reorder accounts' events, so it is never done implicitly).
 * Returns the names it created.
 */
export async function ensureTopics(
  admin: Admin,
  names: readonly string[],
  layout: TopicLayout,
  /** The cluster's topics, when the caller has just listed them. */
  listed?: ReadonlySet<string>,
): Promise<string[]> {
  const existing = listed ?? new Set(await admin.listTopics());
  const missing = names.filter((name) => !existing.has(name));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: layout.partitions,
        replicationFactor: layout.replicationFactor,
        configEntries: [
          { name: 'min.insync.replicas', value: String(layout.minInsyncReplicas ?? 1) },
          // A replica that fell behind never becomes leader: an acknowledged write is never lost.
          { name: 'unclean.leader.election.enable', value: 'false' },
          ...(layout.brokerTimestamps
            ? [{ name: 'message.timestamp.type', value: 'LogAppendTime' }]
            : []),
        ],
      })),
    });
  } catch (error) {
    // A broker that has just started can answer kafkajs's wait for the new leaders with
    // "unknown topic" for a moment, which kafkajs does not retry: the topics are being created.
    if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
    await untilLeadersElected(admin, missing);
  }
  return missing;
}

async function untilLeadersElected(
  admin: Admin,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const elected = found.every((topic) =>
        topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (found.length === topics.length && elected) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`no leaders for ${topics.join(', ')} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
