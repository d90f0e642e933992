import { createHash, randomUUID } from 'node:crypto';
import { FORWARDS, jsonEvent, type EventStoreDBClient } from '@eventstore/db-client';
import {
  firstRevisionOf,
  type ClaimQuery,
  type FoundClaims,
  type StoredClaim,
} from '../port/claims';
import { StreamNotFoundError } from '../port/errors';
import type { StreamAppend } from '../port/event-store';
import { translateEsdbError } from './driver-errors';

export const CLAIM_STREAM_PREFIX = 'es-claim-';

/** A claim stream per stream and claim: names of any length and character fit a fixed name. */
export function claimStreamOf(stream: string, claim: string): string {
  const digest = createHash('sha256').update(`${stream}\u001f${claim}`).digest('hex');
  return `${CLAIM_STREAM_PREFIX}${digest.slice(0, 40)}`;
}

/** Entries a claim stream may hold: one per attempt that named it, nearly always one. */
const ENTRIES_READ = 100;

interface ClaimEntry {
  readonly stream: string;
  readonly claim: string;
  readonly revision: string;
  readonly eventId: string;
}

/**
 * Claims on EventStoreDB, which has no transaction over two streams. A claim is an entry in its
 * own stream naming the event that makes it (stream, revision, event id), written before that
 * event's append. It is held only while that event is stored there: an append that then fails
 * leaves a void entry, which every read ignores. Two writers of one claim are fenced by the
 * stream's expected revision, which claims require, so at most one entry's event is stored.
 */
export class EventStoreDbClaims {
  constructor(private readonly client: EventStoreDBClient) {}

  /** Before the append: an entry for every claim it makes. Retries add entries, which is harmless. */
  async writeEntries(append: StreamAppend): Promise<void> {
    const first = firstRevisionOf(append.expectedRevision);
    await this.write(
      append.events.flatMap((event, index) =>
        (event.claims ?? []).map((claim) => ({
          stream: append.stream,
          claim,
          revision: (first + BigInt(index)).toString(),
          eventId: event.id,
        })),
      ),
    );
  }

  /**
   * Entries for events already stored, where the claim is not held: each counts at once, as its
   * event is there. With no writer of the stream meanwhile, nothing can hold the claim between
   * the look-up and the entry.
   */
  async record(stream: string, claims: readonly StoredClaim[]): Promise<number> {
    const held = (await this.find([{ stream, claims: claims.map(({ claim }) => claim) }])).get(
      stream,
    );
    const entries = claims
      .filter(({ claim }) => !held?.has(claim))
      .map(({ claim, revision, eventId }) => ({
        stream,
        claim,
        revision: revision.toString(),
        eventId,
      }));
    const stored = await Promise.all(entries.map((entry) => this.isStored(entry)));
    const recorded = entries.filter((_, index) => stored[index]);
    await this.write(recorded);
    return recorded.length;
  }

  private async write(entries: readonly ClaimEntry[]): Promise<void> {
    await Promise.all(
      entries.map(async (entry) => {
        try {
          await this.client.appendToStream(
            claimStreamOf(entry.stream, entry.claim),
            jsonEvent({ id: randomUUID(), type: 'ClaimMade', data: { ...entry } }),
          );
        } catch (error) {
          throw translateEsdbError(error, { stream: claimStreamOf(entry.stream, entry.claim) });
        }
      }),
    );
  }

  /** Two parallel waves: every claim stream, then the event each entry names. */
  async find(queries: readonly ClaimQuery[]): Promise<FoundClaims> {
    const asked = queries.flatMap(({ stream, claims }) =>
      claims.map((claim) => ({ stream, claim })),
    );
    const entries = (await Promise.all(asked.map((query) => this.entriesOf(query)))).flat();
    const held = await Promise.all(entries.map((entry) => this.isStored(entry)));
    const found: FoundClaims = new Map();
    entries.forEach((entry, index) => {
      if (!held[index]) return;
      let claims = found.get(entry.stream);
      if (!claims) found.set(entry.stream, (claims = new Map()));
      claims.set(entry.claim, BigInt(entry.revision));
    });
    return found;
  }

  private async entriesOf(query: { stream: string; claim: string }): Promise<ClaimEntry[]> {
    const stream = claimStreamOf(query.stream, query.claim);
    const entries: ClaimEntry[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, {
        direction: FORWARDS,
        maxCount: ENTRIES_READ,
      })) {
        const data = resolved.event?.data as ClaimEntry | undefined;
        // A hash collision would name another stream or claim: not this claim's entry.
        if (data && data.stream === query.stream && data.claim === query.claim) entries.push(data);
      }
    } catch (error) {
      const translated = translateEsdbError(error, { stream });
      if (translated instanceof StreamNotFoundError) return [];
      throw translated;
    }
    return entries;
  }

  private async isStored(entry: ClaimEntry): Promise<boolean> {
    try {
      for await (const resolved of this.client.readStream(entry.stream, {
        direction: FORWARDS,
        fromRevision: BigInt(entry.revision),
        maxCount: 1,
      }))
        return resolved.event?.id === entry.eventId;
    } catch (error) {
      const translated = translateEsdbError(error, { stream: entry.stream });
      if (translated instanceof StreamNotFoundError) return false;
      throw translated;
    }
    return false;
  }
}
