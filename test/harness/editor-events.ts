import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';
import type { EditorEventType } from '@credits/contract';

/** A wire event of ../shared/CONTRACT.md, as the editor and billing publish it. */
export interface WireEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: EditorEventType;
  readonly time: string;
  readonly subject: string;
  readonly data: Record<string, unknown>;
}

export function wireEvent(
  accountId: string,
  type: EditorEventType,
  time: string,
  data: Record<string, unknown>,
  id: string = randomUUID(),
): WireEvent {
  return { specversion: '1.0', id, source: 'editor', type, time, subject: accountId, data };
}

/** A deterministic pseudo-random source, so a failing run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const AI_EDITS = [
  'virtual_staging',
  'twilight',
  'object_removal',
  'inpainting',
  'find_and_replace',
];
const RESOLUTIONS = ['1K', '2K', '4K'];
const MONTH_START = Date.parse('2026-11-01T00:00:00Z');

/**
 * A realistic month of editor and billing events for many accounts: an allowance each, then
 * generations (mostly AI, some free) at mixed resolutions, accepts and rejects, a few top-ups
 * and adjustments; accounts interleave, each account's events in time order.
 */
export function realisticMonth(options: {
  accounts: number;
  events: number;
  seed?: number;
  accountPrefix?: string;
}): WireEvent[] {
  const random = seededRandom(options.seed ?? 7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const prefix = options.accountPrefix ?? 'acct';
  const open = new Map<string, string[]>();
  const events: WireEvent[] = [];
  const step = (30 * 24 * 3_600_000) / Math.max(1, options.events);
  for (let index = 0; index < options.accounts && events.length < options.events; index += 1) {
    events.push(
      wireEvent(`${prefix}-${index}`, 'AllowanceGranted', new Date(MONTH_START).toISOString(), {
        plan: pick(['starter', 'pro', 'agency']),
        credits: pick([30, 100, 300]),
        periodStart: '2026-11-01T00:00:00Z',
        periodEnd: '2026-12-01T00:00:00Z',
      }),
    );
  }
  for (let n = events.length; n < options.events; n += 1) {
    const accountId = `${prefix}-${Math.floor(random() * options.accounts)}`;
    const time = new Date(MONTH_START + Math.floor(n * step)).toISOString();
    const pending = open.get(accountId) ?? [];
    const roll = random();
    if (roll < 0.02) {
      events.push(
        wireEvent(accountId, 'TopUpPurchased', time, {
          purchaseId: `p-${n}`,
          credits: pick([20, 50]),
        }),
      );
    } else if (roll < 0.025) {
      events.push(
        wireEvent(accountId, 'CreditsAdjusted', time, {
          adjustmentId: `adj-${n}`,
          credits: pick([-3, 5]),
          reason: 'support',
        }),
      );
    } else if (pending.length > 0 && roll < 0.5) {
      const generationId = pending.shift() as string;
      events.push(
        wireEvent(accountId, roll < 0.38 ? 'EditAccepted' : 'EditRejected', time, { generationId }),
      );
    } else {
      const generationId = `g-${n}`;
      pending.push(generationId);
      open.set(accountId, pending);
      const free = random() < 0.1;
      events.push(
        wireEvent(accountId, 'GenerationRequested', time, {
          generationId,
          editType: free ? pick(['crop', 'rotate', 'color_adjustment']) : pick(AI_EDITS),
          ...(free ? {} : { resolution: pick(RESOLUTIONS) }),
        }),
      );
    }
  }
  return events;
}

export function kafkaClient(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
}

export interface RawMessage {
  readonly key: string | null;
  readonly value: string | Buffer | null;
}

/** Publishes messages in order (per key) with an idempotent producer, in batches. */
export async function publish(
  kafka: Kafka,
  topic: string,
  messages: readonly RawMessage[],
): Promise<void> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    for (let start = 0; start < messages.length; start += 1_000)
      await producer.send({
        topic,
        acks: -1,
        messages: messages.slice(start, start + 1_000).map((m) => ({ ...m })),
      });
  } finally {
    await producer.disconnect();
  }
}

export function asMessages(events: readonly WireEvent[]): RawMessage[] {
  return events.map((event) => ({ key: event.subject, value: JSON.stringify(event) }));
}

/** Everything on a topic from the beginning, read until `count` messages came or time ran out. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<{ key: string | null; value: string; headers: Record<string, string> }[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  const seen: { key: string | null; value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
        });
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (seen.length < count && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** Waits until a consumer group has committed every offset of a topic. */
export async function waitUntilConsumed(
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const behind = ends.filter((end) => {
      const done = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      return BigInt(end.high) > 0n && BigInt(done) < BigInt(end.high);
    });
    if (behind.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `group ${groupId} is still behind on ${behind.length} partitions of ${topic}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
