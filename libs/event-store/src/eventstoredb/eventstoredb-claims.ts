import { createHash } from 'node:crypto';
import {
  firstRevisionOf,
  type ClaimQuery,
  type FoundClaims,
  type StoredClaim,
} from '../port/claims';
import {
  ClaimConflictError,
  EventStoreFailure,
  EventStoreUnavailableError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '../port/errors';
import type { ExpectedRevision, StreamAppend } from '../port/event-store';
import type { DriverEvent, EsdbDriver } from './driver';
import { entryIdOf } from './entry-ids';

export const CLAIM_STREAM_PREFIX = 'es-claim-';

/** A claim stream per stream and claim: names of any length and character fit a fixed name. */
export function claimStreamOf(stream: string, claim: string): string {
  const digest = createHash('sha256').update(`${stream}\u001f${claim}`).digest('hex');
  return `${CLAIM_STREAM_PREFIX}${digest.slice(0, 40)}`;
}

/** Entries read per page of a claim stream. */
const ENTRIES_PER_PAGE = 100;
/**
 * Entries a claim stream may hold: one per distinct attempt that named the claim, nearly always
 * one. Past this the stream is reported as a store failure rather than read without end.
 */
export const MAX_CLAIM_ENTRIES = 100_000;
/** Writers racing for the next entry of one claim stream (a rebalance's two consumers). */
const ENTRY_WRITE_ATTEMPTS = 5;

interface ClaimEntry {
  readonly stream: string;
  readonly claim: string;
  readonly revision: string;
  readonly eventId: string;
}

interface ClaimStream {
  readonly entries: readonly ClaimEntry[];
  /** The claim stream's last revision, or null when it has no events. */
  readonly lastRevision: bigint | null;
}

const sameEntry = (a: ClaimEntry, b: ClaimEntry): boolean =>
  a.revision === b.revision && a.eventId === b.eventId;

/**
 * Claims on EventStoreDB, which has no transaction over two streams. A claim is held by the
 * event an entry of its claim stream names (stream, revision, event id) while that event is
 * stored there; an entry whose append failed is void, and every read skips it.
 *
 * One holder at most (docs/idempotency-and-snapshots.md has the proof): a writer appending at
 * revision R (1) writes its entry, (2) confirms that the stream has reached R, then (3) reads
 * every entry again and refuses the append if one names an event stored at or before R. Of two
 * events of one claim, the later one's writer reaches (3) after the earlier event was stored, so
 * after the earlier entry was written: it sees it and stops.
 */
export class EventStoreDbClaims {
  constructor(private readonly driver: EsdbDriver) {}

  /**
   * Before an append that makes claims: every claim entered and checked. Throws
   * `ClaimConflictError` when another event holds one, `WrongExpectedRevisionError` when the
   * stream has not reached the expected revision.
   */
  async enter(append: StreamAppend): Promise<void> {
    const first = firstRevisionOf(append.expectedRevision);
    const entries = append.events.flatMap((event, index) =>
      (event.claims ?? []).map((claim) => ({
        stream: append.stream,
        claim,
        revision: (first + BigInt(index)).toString(),
        eventId: event.id,
      })),
    );
    await Promise.all(entries.map((entry) => this.write(entry)));
    if (first === 0n) return;
    await this.confirmReached(append.stream, append.expectedRevision, first - 1n);
    await Promise.all(entries.map((entry) => this.refuseIfHeld(entry, first - 1n)));
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
    const stored = await Promise.all(entries.map((entry) => this.isHolding(entry)));
    const recorded = entries.filter((_, index) => stored[index]);
    await Promise.all(recorded.map((entry) => this.write(entry)));
    return recorded.length;
  }

  /** Per claim, its holder: the entries read newest first, as the one that holds is the last. */
  async find(queries: readonly ClaimQuery[]): Promise<FoundClaims> {
    const asked = queries.flatMap(({ stream, claims }) =>
      claims.map((claim) => ({ stream, claim })),
    );
    const holders = await Promise.all(asked.map((query) => this.holderOf(query)));
    const found: FoundClaims = new Map();
    for (const holder of holders) {
      if (!holder) continue;
      let claims = found.get(holder.stream);
      if (!claims) found.set(holder.stream, (claims = new Map()));
      claims.set(holder.claim, BigInt(holder.revision));
    }
    return found;
  }

  /** The entry written once, at the claim stream's next revision: a repeat finds it there. */
  private async write(entry: ClaimEntry): Promise<void> {
    const claimStream = claimStreamOf(entry.stream, entry.claim);
    for (let attempt = 1; attempt <= ENTRY_WRITE_ATTEMPTS; attempt += 1) {
      const { entries, lastRevision } = await this.read(entry);
      if (entries.some((written) => sameEntry(written, entry))) return;
      try {
        await this.driver.append(
          claimStream,
          [
            {
              id: entryIdOf('claim', entry.stream, entry.claim, entry.revision, entry.eventId),
              type: 'ClaimMade',
              data: { ...entry },
            },
          ],
          lastRevision ?? 'no_stream',
        );
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    throw new EventStoreUnavailableError(
      `claim stream ${claimStream} kept moving under ${ENTRY_WRITE_ATTEMPTS} writes: retry later`,
    );
  }

  private async confirmReached(
    stream: string,
    expected: ExpectedRevision,
    revision: bigint,
  ): Promise<void> {
    const event = await this.eventAt(stream, revision);
    if (event) return;
    const [last] = await this.events(stream, { direction: 'backwards', fromRevision: 'end' }, 1);
    throw new WrongExpectedRevisionError(stream, expected, last?.revision ?? 'no_stream');
  }

  /** Another entry at or before R whose event is stored: one read per revision named, in parallel. */
  private async refuseIfHeld(entry: ClaimEntry, expectedRevision: bigint): Promise<void> {
    const { entries } = await this.read(entry);
    const named = Map.groupBy(
      entries.filter(
        (other) => !sameEntry(other, entry) && BigInt(other.revision) <= expectedRevision,
      ),
      (other) => other.revision,
    );
    const revisions = [...named.keys()];
    for (let from = 0; from < revisions.length; from += ENTRIES_PER_PAGE) {
      const stored = await Promise.all(
        revisions
          .slice(from, from + ENTRIES_PER_PAGE)
          .map((revision) => this.eventAt(entry.stream, BigInt(revision))),
      );
      const held = stored.some((event) =>
        named.get(event?.revision.toString() ?? '')?.some((other) => other.eventId === event?.id),
      );
      if (held) throw new ClaimConflictError(entry.stream, entry.claim);
    }
  }

  private async holderOf(query: {
    stream: string;
    claim: string;
  }): Promise<ClaimEntry | undefined> {
    const claimStream = claimStreamOf(query.stream, query.claim);
    let from: bigint | 'end' = 'end';
    for (let read = 0; read < MAX_CLAIM_ENTRIES; read += ENTRIES_PER_PAGE) {
      const page = await this.events(claimStream, { direction: 'backwards', fromRevision: from });
      const entries = page.flatMap((event) => entryOf(event, query) ?? []);
      const holding = await Promise.all(entries.map((entry) => this.isHolding(entry)));
      const holder = entries.find((_, index) => holding[index]);
      if (holder) return holder;
      const oldest = page.at(-1)?.revision;
      if (page.length < ENTRIES_PER_PAGE || oldest === undefined || oldest === 0n) return undefined;
      from = oldest - 1n;
    }
    throw tooManyEntries(claimStream);
  }

  /** Every entry of the claim, oldest first, paged forwards. */
  private async read(query: { stream: string; claim: string }): Promise<ClaimStream> {
    const claimStream = claimStreamOf(query.stream, query.claim);
    const entries: ClaimEntry[] = [];
    let lastRevision: bigint | null = null;
    for (let read = 0; read < MAX_CLAIM_ENTRIES; read += ENTRIES_PER_PAGE) {
      const page = await this.events(claimStream, {
        direction: 'forwards',
        fromRevision: lastRevision === null ? 'start' : lastRevision + 1n,
      });
      for (const event of page) {
        lastRevision = event.revision;
        const entry = entryOf(event, query);
        if (entry) entries.push(entry);
      }
      if (page.length < ENTRIES_PER_PAGE) return { entries, lastRevision };
    }
    throw tooManyEntries(claimStream);
  }

  /** Whether the event an entry names is stored where it says. */
  private async isHolding(entry: ClaimEntry): Promise<boolean> {
    return (await this.eventAt(entry.stream, BigInt(entry.revision)))?.id === entry.eventId;
  }

  private async eventAt(stream: string, revision: bigint): Promise<DriverEvent | undefined> {
    const [event] = await this.events(stream, { direction: 'forwards', fromRevision: revision }, 1);
    return event?.revision === revision ? event : undefined;
  }

  private async events(
    stream: string,
    from: { direction: 'forwards' | 'backwards'; fromRevision: bigint | 'start' | 'end' },
    maxCount = ENTRIES_PER_PAGE,
  ): Promise<DriverEvent[]> {
    const events: DriverEvent[] = [];
    try {
      for await (const event of this.driver.readStream(stream, { ...from, maxCount }))
        events.push(event);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }
}

/** An entry of this claim: a hash collision would name another stream or claim. */
function entryOf(event: DriverEvent, query: { stream: string; claim: string }): ClaimEntry | null {
  const data = event.data as Partial<ClaimEntry> | null;
  if (
    !data ||
    data.stream !== query.stream ||
    data.claim !== query.claim ||
    typeof data.revision !== 'string' ||
    typeof data.eventId !== 'string'
  )
    return null;
  return data as ClaimEntry;
}

function tooManyEntries(claimStream: string): EventStoreFailure {
  return new EventStoreFailure(
    `claim stream ${claimStream} holds more than ${MAX_CLAIM_ENTRIES} entries: inspect it before going on`,
  );
}
