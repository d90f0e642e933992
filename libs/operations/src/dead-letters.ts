import type { Admin, IHeaders, Kafka } from 'kafkajs';
import { DeadLetterHeaders } from '@credits/contract';
import { within } from '@credits/runtime';

/** One message on the dead-letter topic, with its headers as text. */
export interface DeadLetter {
  /** `partition:offset` on the dead-letter topic: how ops name it. */
  readonly at: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/** Offsets `from` (inclusive) to `to` (exclusive) of one partition. */
export interface OffsetRange {
  readonly from: bigint;
  readonly to: bigint;
}

/** What a partition of the dead-letter topic still keeps. */
export interface PartitionSpan {
  readonly low: bigint;
  readonly high: bigint;
}

/** The longest a read of dead letters may take before it is given up with an error. */
export const DEAD_LETTER_READ_TIMEOUT_MS = 30_000;

const text = (value: IHeaders[string]): string =>
  Array.isArray(value) ? value.join(',') : (value?.toString() ?? '');

/** Each partition's first kept offset and end. */
export async function deadLetterSpans(
  admin: Admin,
  topic: string,
): Promise<Map<number, PartitionSpan>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(
    offsets.map((end) => [end.partition, { low: BigInt(end.low), high: BigInt(end.high) }]),
  );
}

/** The offsets `at` names (`partition:offset`), as the smallest range of each partition holding them. */
export function offsetsCovering(at: readonly string[]): Map<number, OffsetRange> {
  const ranges = new Map<number, OffsetRange>();
  for (const place of at) {
    const { partition, offset } = parsePlace(place);
    const range = ranges.get(partition);
    ranges.set(partition, {
      from: range && range.from < offset ? range.from : offset,
      to: range && range.to > offset + 1n ? range.to : offset + 1n,
    });
  }
  return ranges;
}

/** A dead letter's name, `partition:offset`; throws a RangeError naming the problem. */
export function parsePlace(place: string): { partition: number; offset: bigint } {
  const match = /^(\d{1,9}):(\d{1,19})$/.exec(place);
  if (!match)
    throw new RangeError(`${JSON.stringify(place)} is not PARTITION:OFFSET (two whole numbers)`);
  return { partition: Number(match[1]), offset: BigInt(match[2] as string) };
}

/**
 * The dead letters in `ranges` (or every one the topic keeps), read without committing anything,
 * in a consumer group of the caller's (one it is allowed to use, named afresh each time). Offsets
 * the topic no longer or not yet keeps are left out. Sorted by partition and offset. Gives up
 * with an error after DEAD_LETTER_READ_TIMEOUT_MS (a range that retention removes while it is
 * being read never ends).
 */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
  groupId: string,
  ranges: ReadonlyMap<number, OffsetRange> | 'every',
  /** Which letters of the ranges to keep, by `at` (all by default): bounds the memory a sparse choice takes. */
  keep: (at: string) => boolean = () => true,
): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  let spans: Map<number, PartitionSpan>;
  try {
    spans = await deadLetterSpans(admin, topic);
  } finally {
    await admin.disconnect();
  }
  const wanted = new Map<number, OffsetRange>();
  for (const [partition, span] of spans) {
    const range = ranges === 'every' ? { from: span.low, to: span.high } : ranges.get(partition);
    if (!range) continue;
    const from = range.from > span.low ? range.from : span.low;
    const to = range.to < span.high ? range.to : span.high;
    if (to > from) wanted.set(partition, { from, to });
  }
  if (wanted.size === 0) return [];
  const letters: DeadLetter[] = [];
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  const remaining = new Set(wanted.keys());
  let done!: () => void;
  const read = new Promise<void>((resolve) => (done = resolve));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const range = wanted.get(partition);
        const offset = BigInt(message.offset);
        if (!range || offset < range.from || offset >= range.to) return;
        const at = `${partition}:${message.offset}`;
        if (keep(at))
          letters.push({
            at,
            partition,
            offset,
            key: message.key,
            value: message.value,
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([name, value]) => [name, text(value)]),
            ),
          });
        if (offset + 1n >= range.to) remaining.delete(partition);
        if (remaining.size === 0) done();
      },
    });
    // Only after run: kafkajs applies a seek to a group it has joined.
    for (const [partition, range] of wanted)
      consumer.seek({ topic, partition, offset: range.from.toString() });
    await within(DEAD_LETTER_READ_TIMEOUT_MS, read);
  } finally {
    await consumer.disconnect();
  }
  return letters.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : 1));
}

/** Where the rejected message was read: `topic/partition@offset`. */
export function originOf(letter: DeadLetter): string {
  return `${letter.headers[DeadLetterHeaders.topic]}/${letter.headers[DeadLetterHeaders.partition]}@${letter.headers[DeadLetterHeaders.offset]}`;
}

/**
 * One dead letter per rejected message, the first written, with how many copies there are. The
 * projector writes a message's dead letter before committing its offset, so a crash in between
 * writes it again on redelivery: the copies share the original coordinates (and, keyed alike,
 * the partition).
 */
export function distinctDeadLetters(
  letters: readonly DeadLetter[],
): (DeadLetter & { copies: number })[] {
  const first = new Map<string, DeadLetter & { copies: number }>();
  for (const letter of letters) {
    const seen = first.get(originOf(letter));
    if (seen) seen.copies += 1;
    else first.set(originOf(letter), { ...letter, copies: 1 });
  }
  return [...first.values()];
}

/** A dead letter as lists show it. */
export interface DeadLetterSummary {
  readonly at: string;
  readonly reason: string;
  /** Where the rejected message was read: `topic/partition@offset`. */
  readonly from: string;
  readonly key: string | null;
  /** The first line of the reason's details. */
  readonly details: string;
  /** When the projector dead-lettered it, RFC 3339; null if the header is missing. */
  readonly deadLetteredAt: string | null;
  readonly copies: number;
}

export function summaryOf(letter: DeadLetter & { copies?: number }): DeadLetterSummary {
  return {
    at: letter.at,
    reason: letter.headers[DeadLetterHeaders.reason] ?? '',
    from: originOf(letter),
    key: letter.key?.toString() ?? null,
    details: (letter.headers[DeadLetterHeaders.details] ?? '').split('\n')[0] ?? '',
    deadLetteredAt: letter.headers[DeadLetterHeaders.deadLetteredAt] ?? null,
    copies: letter.copies ?? 1,
  };
}
