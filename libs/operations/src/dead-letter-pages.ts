import type { Admin, Kafka } from 'kafkajs';
import { DeadLetterHeaders } from '@credits/contract';
import {
  deadLetterSpans,
  distinctDeadLetters,
  readDeadLetters,
  summaryOf,
  type DeadLetter,
  type DeadLetterSummary,
  type OffsetRange,
  type PartitionSpan,
} from './dead-letters';

/** Dead letters per page: when none is asked for, and the most that may be. */
export const DEAD_LETTER_PAGE = { defaultLimit: 100, maxLimit: 1_000 } as const;

export interface DeadLetterPage {
  /** Newest first; copies of one rejected message (a redelivery wrote it again) counted on its row. */
  readonly letters: DeadLetterSummary[];
  /** This page's rejected messages by reason. */
  readonly byReason: Record<string, number>;
  /** Dead letters the topic keeps, copies included. */
  readonly kept: number;
  /** Where the next (older) page starts, or null on the last. */
  readonly next: string | null;
}

/** Where each partition's older letters end: the cursor, as text a URL can carry. */
function encodeCursor(ends: ReadonlyMap<number, bigint>): string {
  const plain = Object.fromEntries([...ends].map(([partition, end]) => [partition, String(end)]));
  return Buffer.from(JSON.stringify(plain)).toString('base64url');
}

/** A cursor this module made; throws a RangeError for anything else. */
function decodeCursor(cursor: string): Map<number, bigint> {
  try {
    const plain = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new Error();
    return new Map(
      Object.entries(plain).map(([partition, end]) => {
        if (!/^\d{1,9}$/.test(partition) || typeof end !== 'string' || !/^\d{1,19}$/.test(end))
          throw new Error();
        return [Number(partition), BigInt(end)];
      }),
    );
  } catch {
    throw new RangeError('cursor is not one this route gave (pass `next` from a page unchanged)');
  }
}

/** The newest `limit` of each partition before its end in `ends` (absent: nothing left there). */
function newestRanges(
  spans: ReadonlyMap<number, PartitionSpan>,
  ends: ReadonlyMap<number, bigint> | null,
  limit: number,
): Map<number, OffsetRange> {
  return new Map(
    [...spans].map(([partition, { low, high }]) => {
      const end = ends === null ? high : (ends.get(partition) ?? low);
      const to = end < high ? end : high;
      const from = to - BigInt(limit) > low ? to - BigInt(limit) : low;
      return [partition, { from, to: to > from ? to : from }];
    }),
  );
}

const newestFirst = (a: DeadLetter, b: DeadLetter): number => {
  const at = (letter: DeadLetter) => letter.headers[DeadLetterHeaders.deadLetteredAt] ?? '';
  if (at(a) !== at(b)) return at(a) < at(b) ? 1 : -1;
  return a.partition - b.partition || (a.offset < b.offset ? 1 : -1);
};

/**
 * A page of the dead-letter topic, newest first: at most `limit` letters, read as the newest
 * `limit` of each partition before the cursor, so a page costs a bounded read however many the
 * topic keeps. The cursor holds each partition's place, so letters written meanwhile never shift
 * the pages after it.
 */
export async function newestDeadLetters(
  kafka: Kafka,
  admin: Admin,
  place: { readonly topic: string; readonly groupId: string },
  page: { readonly limit: number; readonly cursor?: string },
): Promise<DeadLetterPage> {
  const ends = page.cursor === undefined ? null : decodeCursor(page.cursor);
  const spans = await deadLetterSpans(admin, place.topic);
  const ranges = newestRanges(spans, ends, page.limit);
  const read = await readDeadLetters(kafka, place.topic, place.groupId, ranges);
  const taken = read.sort(newestFirst).slice(0, page.limit);
  const nextEnds = new Map([...ranges].map(([partition, range]) => [partition, range.to]));
  for (const letter of taken) {
    const end = nextEnds.get(letter.partition) ?? letter.offset;
    if (letter.offset < end) nextEnds.set(letter.partition, letter.offset);
  }
  const more = [...nextEnds].some(([partition, end]) => end > (spans.get(partition)?.low ?? end));
  const letters = distinctDeadLetters(taken).map(summaryOf);
  const byReason: Record<string, number> = {};
  for (const letter of letters) byReason[letter.reason] = (byReason[letter.reason] ?? 0) + 1;
  const kept = [...spans.values()].reduce((sum, { low, high }) => sum + Number(high - low), 0);
  return { letters, byReason, kept, next: more ? encodeCursor(nextEnds) : null };
}
