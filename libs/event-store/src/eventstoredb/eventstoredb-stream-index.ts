import { randomUUID } from 'node:crypto';
import { categoryPrefix } from '../port/append-validation';
import { StreamNotFoundError } from '../port/errors';
import type { JsonObject } from '../port/recorded-event';
import type { DriverEvent, DriverEventData, EsdbDriver } from './driver';

export const STREAM_INDEX_PREFIX = 'es-streams-';

/** Where a stream's first event records the revision of its index entry. */
const LISTED_AT = 'es-listed-at';
/** Set beside it when the event was appended without metadata, which reads give back as none. */
const WITHOUT_METADATA = 'es-without-metadata';
/** Index entries read, and streams checked at once, per page of a listing. */
const ENTRIES_PER_PAGE = 100;

/** A category's index: `account-acct-42` is listed under `account`, as categories go. */
const indexOf = (name: string): string => `${STREAM_INDEX_PREFIX}${name.split('-')[0]}`;

interface StreamListed {
  readonly stream: string;
  readonly firstEventId: string;
}

/**
 * The streams of a category, without a pass over the log. Before an append that may create a
 * stream, an entry naming the stream and its first event goes to its category's index stream
 * (at any revision, so creators never wait on each other), and the first event's metadata
 * records the revision that entry landed at. A listing yields an entry only when the stream's
 * first event is the one it names and records that very revision: one entry per stream,
 * whatever retries and failed attempts wrote beside it.
 */
export class EventStoreDbStreamIndex {
  constructor(private readonly driver: EsdbDriver) {}

  /** The events to append, the first marked with its stream's new index entry. */
  async enter(stream: string, events: readonly DriverEventData[]): Promise<DriverEventData[]> {
    const [first, ...rest] = events;
    if (!first) return [];
    const listed: StreamListed = { stream, firstEventId: first.id };
    const entry = await this.driver.append(
      indexOf(stream),
      [{ id: randomUUID(), type: 'StreamListed', data: { ...listed } }],
      'any',
    );
    const mark = {
      [LISTED_AT]: entry.nextExpectedRevision.toString(),
      ...(first.metadata === undefined ? { [WITHOUT_METADATA]: true } : {}),
    };
    return [{ ...first, metadata: { ...first.metadata, ...mark } }, ...rest];
  }

  async *list(category: string, pageSize: number): AsyncIterable<string[]> {
    const prefix = categoryPrefix(category);
    let page: string[] = [];
    let from: bigint | 'start' = 'start';
    for (;;) {
      const entries = await this.entries(indexOf(prefix), from);
      const listed = await Promise.all(
        entries.map((entry) => this.isListedBy(entry, prefix).then((yes) => yes && entry)),
      );
      for (const entry of listed) {
        if (!entry) continue;
        page.push((entry.data as StreamListed).stream);
        if (page.length < pageSize) continue;
        yield page;
        page = [];
      }
      const last = entries.at(-1);
      if (entries.length < ENTRIES_PER_PAGE || !last) break;
      from = last.revision + 1n;
    }
    if (page.length > 0) yield page;
  }

  /** Whether an entry is its stream's: the stream's first event names it. */
  private async isListedBy(entry: DriverEvent, prefix: string): Promise<boolean> {
    const { stream, firstEventId } = (entry.data ?? {}) as Partial<StreamListed>;
    if (typeof stream !== 'string' || !stream.startsWith(prefix)) return false;
    const [first] = await this.read(stream, 0n, 1);
    const listedAt = (first?.metadata as JsonObject | undefined)?.[LISTED_AT];
    return (
      first?.revision === 0n && first.id === firstEventId && listedAt === entry.revision.toString()
    );
  }

  private entries(index: string, from: bigint | 'start'): Promise<DriverEvent[]> {
    return this.read(index, from, ENTRIES_PER_PAGE);
  }

  private async read(
    stream: string,
    from: bigint | 'start',
    maxCount: number,
  ): Promise<DriverEvent[]> {
    const events: DriverEvent[] = [];
    try {
      for await (const event of this.driver.readStream(stream, {
        direction: 'forwards',
        fromRevision: from,
        maxCount,
      }))
        events.push(event);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }
}

/** An event's metadata as it was appended: without the index's mark. */
export function appendedMetadata(metadata: unknown): JsonObject | null {
  if (metadata === undefined || metadata === null) return null;
  const marked = metadata as JsonObject;
  if (!(LISTED_AT in marked)) return marked;
  const {
    [LISTED_AT]: _listedAt,
    [WITHOUT_METADATA]: without,
    ...appended
  } = marked as Record<string, unknown>;
  return without === true ? null : appended;
}
