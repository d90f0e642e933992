import { randomUUID } from 'node:crypto';
export {
  realisticMonth,
  seededRandom,
  wireEvent,
  type WireEvent,
} from '../../apps/credits-cli/src/demo/realistic-month';
import type { WireEvent } from '../../apps/credits-cli/src/demo/realistic-month';
import { keyOfMessage, type History } from './history';
import { wavesOf } from '../../apps/credits-cli/src/demo/waves';
import { Kafka, logLevel, Partitioners, type Admin, type KafkaConfig } from 'kafkajs';
// Relative, like this file's other imports of project code.
import { PartitionByPartitionSender } from '../../libs/kafka/src/partition-by-partition';
import '../../libs/kafka/src/kafkajs-request-queue';
import { inputTopicNames, topicNames } from '../../libs/kafka/src/topics';
import { inputTopicOf } from '../../libs/contract/src/input-events/input-event.dto';
import { projectorGroupId } from '../../libs/kafka/src/group-offsets';
import { groupBy } from './group-by';

export function kafkaClient(
  clientId: string,
  brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  config: Partial<Omit<KafkaConfig, 'clientId' | 'brokers'>> = {},
): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    ...config,
  });
}

export interface RawMessage {
  readonly key: string | null;
  readonly value: string | Buffer | null;
}

export interface PublishOptions {
  readonly resendFor?: number;
  readonly pauseMs?: number;
  /** Messages per send (default 1,000). */
  readonly batchSize?: number;
  /** Where each send of each message is recorded: invoked, then ok, or unknown if it threw. */
  readonly history?: History;
}

/** A send of these messages, recorded in the history: a send that throws may have landed. */
async function recorded(
  history: History | undefined,
  messages: readonly RawMessage[],
  send: () => Promise<unknown>,
): Promise<void> {
  const operations = messages.flatMap((message) => {
    const named = keyOfMessage(message.value);
    return named && history ? [history.invoke('publish', named.key, named.account)] : [];
  });
  try {
    await send();
  } catch (error) {
    for (const operation of operations)
      history?.settle(operation, 'unknown', (error as Error).message);
    throw error;
  }
  for (const operation of operations) history?.settle(operation, 'ok');
}

/**
 * Publishes messages in order (per key) with an idempotent producer, in batches. With
 * `resendFor`, a connect or a batch send that fails (the broker is away) is tried again until it
 * goes through or that long has passed, as an editor's producer would: its messages may then
 * arrive twice. `pauseMs` between batches stretches the stream out in time; `onBatchSent` is told
 * how many messages have gone, so a fault can be timed to the stream rather than to a clock.
 */
export async function publish(
  kafka: Kafka,
  topic: string,
  messages: readonly RawMessage[],
  {
    resendFor = 0,
    pauseMs = 0,
    batchSize = 1_000,
    onBatchSent = (_sent: number) => {},
    history,
  }: PublishOptions & { onBatchSent?: (sent: number) => void } = {},
): Promise<{ resent: number }> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  // As the project's own producers send (a kafkajs send across partitions can lose a slice).
  const sender = new PartitionByPartitionSender(producer, kafka);
  let resent = 0;
  const untilThrough = async (attempt: () => Promise<void>) => {
    const giveUpAt = Date.now() + resendFor;
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (Date.now() > giveUpAt) throw error;
        resent += 1;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };
  await untilThrough(() => producer.connect());
  try {
    for (let start = 0; start < messages.length; start += batchSize) {
      if (start > 0 && pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const batch = messages.slice(start, start + batchSize).map((m) => ({ ...m }));
      await untilThrough(() => recorded(history, batch, () => sender.send(topic, batch)));
      onBatchSent(start + batch.length);
    }
  } finally {
    await producer.disconnect();
  }
  return { resent };
}

/**
 * Publishes in the background for a fault run: `started` resolves once the producer is connected
 * and its first batch is in (or when publishing fails), so a fault is injected mid-stream by a
 * signal rather than a sleep. `done` is handled from the start, so a failure while the fault
 * lasts is reported where the test awaits it, not as an unhandled rejection first.
 */
export function publishInBackground(
  kafka: Kafka,
  prefix: string,
  messages: readonly RawMessage[],
  options: PublishOptions = {},
): { started: Promise<void>; done: Promise<{ resent: number }> } {
  let firstBatchSent = () => {};
  const sent = new Promise<void>((resolve) => (firstBatchSent = resolve));
  const done = publishInput(kafka, prefix, messages, {
    ...options,
    onBatchSent: () => firstBatchSent(),
  });
  done.catch(() => {});
  return {
    started: Promise.race([sent, done.then(() => undefined)]).catch(() => undefined),
    done,
  };
}

export function asMessages(events: readonly WireEvent[]): RawMessage[] {
  return events.map((event) => ({ key: event.subject, value: JSON.stringify(event) }));
}

/**
 * Everything on a topic from the beginning to its end as of the call (and at least `atLeast`
 * messages, waiting up to `timeoutMs` for them), read by a consumer group of its own.
 */
export interface ReadMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string;
  readonly headers: Record<string, string>;
  /** The message's Kafka timestamp (epoch ms): the producer's clock, or the broker's. */
  readonly timestamp: number;
}

export async function readTopic(
  kafka: Kafka,
  topic: string,
  atLeast = 0,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic)).map((end) => [end.partition, BigInt(end.high)]),
  );
  await admin.disconnect();
  const reached = new Map<number, bigint>();
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const seen: ReadMessage[] = [];
  const atEnd = () =>
    [...ends].every(([partition, high]) => (reached.get(partition) ?? 0n) >= high);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        reached.set(partition, BigInt(message.offset) + 1n);
        seen.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
          timestamp: Number(message.timestamp),
        });
      },
    });
    const deadline = Date.now() + timeoutMs;
    while ((!atEnd() || seen.length < atLeast) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** How many messages the input topics hold (each partition's high mark less its low). */
export async function messagesInInputTopics(kafka: Kafka, prefix: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let count = 0;
    for (const name of inputTopicNames(topicNames(prefix)))
      count += (await admin.fetchTopicOffsets(name)).reduce(
        (sum, partition) => sum + Number(partition.high) - Number(partition.low),
        0,
      );
    return count;
  } finally {
    await admin.disconnect();
  }
}

/** Waits until a consumer group has committed every offset of a topic (or of each topic given). */
export async function waitUntilConsumed(
  admin: Admin,
  groupId: string,
  topicOrTopics: string | readonly string[],
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const topics = typeof topicOrTopics === 'string' ? [topicOrTopics] : topicOrTopics;
  const topic = topics.join(' and ');
  for (;;) {
    let behind = -1;
    try {
      behind = 0;
      for (const name of topics) {
        const ends = await admin.fetchTopicOffsets(name);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [name] });
        behind += ends.filter((end) => {
          const done =
            committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          return BigInt(end.high) > 0n && BigInt(done) < BigInt(end.high);
        }).length;
      }
    } catch (error) {
      behind = -1;
      // A broker just restarted answers "coordinator loading" for a while: ask again.
      if (!(error as { retriable?: boolean }).retriable) throw error;
    }
    if (behind === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `group ${groupId} is still behind on ${behind < 0 ? 'unknown' : behind} partitions of ${topic}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until the credit projector under `prefix` has committed every offset of both its input topics. */
export async function projectorConsumed(
  kafka: Kafka,
  prefix: string,
  timeoutMs?: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitUntilConsumed(
      admin,
      projectorGroupId(prefix),
      inputTopicNames(topicNames(prefix)),
      timeoutMs,
    );
  } finally {
    await admin.disconnect();
  }
}

/** The input topic a message belongs on by its type; unreadable ones go to editor-events. */
function inputTopicOfMessage(prefix: string, message: RawMessage): string {
  let type: unknown;
  try {
    type = (JSON.parse(String(message.value)) as { type?: unknown } | null)?.type;
  } catch {
    type = undefined;
  }
  return topicNames(prefix)[inputTopicOf(typeof type === 'string' ? type : '')];
}

/** Messages grouped by the input topic they belong on, each group in the given order. */
export function byInputTopic(
  prefix: string,
  messages: readonly RawMessage[],
): Map<string, RawMessage[]> {
  return groupBy(messages, (message) => inputTopicOfMessage(prefix, message));
}

/**
 * Publishes wire messages to the input topics their types belong on (billing types to
 * billing-events, the rest to editor-events), both topics at once: the projector interleaves them
 * as they come, each topic in order. `onBatchSent` is told the total sent so far.
 */
export async function publishInput(
  kafka: Kafka,
  prefix: string,
  messages: readonly RawMessage[],
  options: PublishOptions & { onBatchSent?: (sent: number) => void } = {},
): Promise<{ resent: number }> {
  const sentPerTopic = new Map<string, number>();
  const results = await Promise.all(
    [...byInputTopic(prefix, messages)].map(([topic, group]) =>
      publish(kafka, topic, group, {
        ...options,
        onBatchSent: (sent) => {
          sentPerTopic.set(topic, sent);
          options.onBatchSent?.([...sentPerTopic.values()].reduce((a, b) => a + b, 0));
        },
      }),
    ),
  );
  return { resent: results.reduce((total, result) => total + result.resent, 0) };
}

/**
 * Publishes wire messages so the running projector decides each account's events in exactly the
 * given order, as if they shared one topic (see `wavesOf`): each wave is published and consumed
 * before the next, so an account's top-up is decided before the generations that follow it.
 */
export async function publishInOrder(
  kafka: Kafka,
  prefix: string,
  messages: readonly RawMessage[],
  timeoutMs?: number,
): Promise<void> {
  const waves = wavesOf(
    messages,
    (message) => String(message.key),
    (message) => inputTopicOfMessage(prefix, message),
  );
  for (const wave of waves) {
    await publishInput(kafka, prefix, wave);
    await projectorConsumed(kafka, prefix, timeoutMs);
  }
}
