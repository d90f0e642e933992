import { StreamNotFoundError } from '../port/errors';
import type {
  AllPage,
  AppendResult,
  EventData,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  StreamFromSnapshot,
} from '../port/event-store';
import type { ReadSnapshotsOptions } from '../port/snapshots';
import {
  categoryPrefix,
  countOf,
  validateAppends,
  validateClaimQueries,
  validateStoredClaims,
} from '../port/append-validation';
import type { ClaimQuery, FoundClaims, StoredClaim } from '../port/claims';
import { pairOf, positionOf, type Position, type ReadFrom } from '../port/positions';
import type { CatchUpOptions, Subscription } from '../port/subscription';
import { CatchUpSubscription } from '../subscription/catch-up-subscription';
import {
  encoded,
  planAppends,
  type AppendPlan,
  type StoredEvent,
  type StreamState,
} from './in-memory-append';
import { InMemoryCheckpoints } from './in-memory-checkpoints';
import { InMemorySnapshots } from './in-memory-snapshots';

/** A fresh, frozen event for a caller: its Date is its own, so nothing it does reaches the store. */
function recorded(event: StoredEvent): RecordedEvent {
  return Object.freeze({
    streamName: event.streamName,
    revision: event.revision,
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    position: event.position,
    recordedAt: new Date(event.recordedAtMs),
  });
}

/**
 * The event store in this process's memory, for unit tests of writers (the credit projector's
 * chunk logic) and for the conformance suite; never a store of record. Its semantics are the
 * PostgreSQL adapter's, which the conformance suite holds both to: the same expected revisions,
 * retries, claims, snapshots and checkpoints, the same refusals with the same error classes.
 *
 * Its limit: it holds every event, claim, snapshot and checkpoint in memory for its life, with no
 * bound but the process's; past that the process runs out of memory. Nothing outlives the object.
 *
 * Each call does its work before it first yields, so an append is all or nothing and a read sees
 * one state, as a PostgreSQL transaction would. Events come back frozen (their data too) with a
 * Date of their own: a caller cannot change what the store holds.
 */
export class InMemoryEventStore implements EventStore {
  readonly adapterName = 'in-memory';
  readonly atomicMultiStreamAppend = true;
  readonly checkpoints = new InMemoryCheckpoints();
  readonly snapshots = new InMemorySnapshots();
  private readonly streams = new Map<string, StreamState>();
  /** Every event in global order: each commit's, in batch order, after the commits before. */
  private readonly log: StoredEvent[] = [];
  /** The two halves of a position, as PostgreSQL's (transaction id, global position). */
  private lastCommit = 0n;
  private lastEvent = 0n;

  appendToStream(
    stream: string,
    events: readonly EventData[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    return this.appendToStreams([
      { stream, events, expectedRevision: options.expectedRevision },
    ]).then(([result]) => result as AppendResult);
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    validateAppends(appends);
    return this.commit(planAppends(this.streams, appends.map(encoded)));
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const maxCount =
      options.maxCount === undefined ? Infinity : countOf('maxCount', options.maxCount);
    const events = this.streams.get(stream)?.events;
    if (!events) throw new StreamNotFoundError(stream);
    const read: StoredEvent[] = [];
    if (options.direction === 'backwards') {
      const from = options.fromRevision ?? BigInt(events.length);
      for (let index = indexAtMost(from, events.length - 1); index >= 0; index -= 1) {
        if (read.length >= maxCount) break;
        read.push(events[index] as StoredEvent);
      }
    } else {
      const first = Math.max(0, indexAtMost(options.fromRevision ?? 0n, events.length));
      read.push(...events.slice(first, first + maxCount));
    }
    return read.map(recorded);
  }

  async readStreams(
    streams: readonly string[],
    options: { readonly fromRevisions?: ReadonlyMap<string, bigint> } = {},
  ): Promise<Map<string, RecordedEvent[]>> {
    return new Map(
      streams.map((stream) => [
        stream,
        this.eventsFrom(stream, options.fromRevisions?.get(stream) ?? 0n),
      ]),
    );
  }

  async readStreamsFromSnapshots(
    streams: readonly string[],
    stateVersion: string,
    options: ReadSnapshotsOptions = {},
  ): Promise<Map<string, StreamFromSnapshot>> {
    return new Map(
      streams.map((stream) => {
        const snapshot = this.snapshots.newest(stream, stateVersion, options.atOrBefore);
        const from = snapshot === null ? 0n : snapshot.revision + 1n;
        return [stream, { snapshot, events: this.eventsFrom(stream, from) }];
      }),
    );
  }

  /** Pages after the last name of the one before, as PostgreSQL's: a stream added meanwhile is seen. */
  async *listStreams(category: string, pageSize: number): AsyncIterable<string[]> {
    countOf('pageSize', pageSize, 1);
    const prefix = categoryPrefix(category);
    let after = prefix;
    for (;;) {
      const names = [...this.streams.keys()]
        .filter((name) => name > after && name.startsWith(prefix))
        .sort()
        .slice(0, pageSize);
      if (names.length > 0) yield names;
      if (names.length < pageSize) return;
      after = names.at(-1) as string;
    }
  }

  async readAll(options: ReadAllOptions): Promise<AllPage> {
    const maxCount = countOf('maxCount', options.maxCount);
    const start = this.indexAfter(options.from);
    const read = this.log.slice(start, start + maxCount);
    const prefix = options.category === undefined ? '' : categoryPrefix(options.category);
    return {
      events: read.filter((event) => event.streamName.startsWith(prefix)).map(recorded),
      lastPosition: read.at(-1)?.position ?? null,
      isEnd: read.length < maxCount,
    };
  }

  async findClaims(queries: readonly ClaimQuery[]): Promise<FoundClaims> {
    validateClaimQueries(queries);
    const found: FoundClaims = new Map();
    for (const { stream, claims } of queries) {
      const held = this.streams.get(stream)?.claims;
      for (const claim of claims) {
        const revision = held?.get(claim);
        if (revision === undefined) continue;
        let ofStream = found.get(stream);
        if (!ofStream) found.set(stream, (ofStream = new Map()));
        ofStream.set(claim, revision);
      }
    }
    return found;
  }

  async recordClaims(stream: string, claims: readonly StoredClaim[]): Promise<number> {
    validateStoredClaims(claims);
    const state = this.streams.get(stream);
    let recordedCount = 0;
    for (const { claim, revision, eventId } of claims) {
      const event = state?.events[Number(revision)];
      if (!state || event?.id !== eventId.toLowerCase() || state.claims.has(claim)) continue;
      state.claims.set(claim, revision);
      recordedCount += 1;
    }
    return recordedCount;
  }

  subscribeToAll(options: CatchUpOptions): Subscription {
    return new CatchUpSubscription((read) => this.readAll(read), options);
  }

  /** Keeps everything: the store lives as long as the object does. */
  async close(): Promise<void> {}

  /** Writes a plan the rules accepted; nothing here can fail, so the batch is all or nothing. */
  private commit({ placed, newClaims }: AppendPlan): AppendResult[] {
    this.lastCommit += 1n;
    const recordedAtMs = Date.now();
    const results = placed.map(({ append, start, isRetry }) => {
      const state = this.stateOf(append.stream);
      if (!isRetry)
        append.events.forEach((event, index) => {
          this.lastEvent += 1n;
          const stored: StoredEvent = Object.freeze({
            streamName: append.stream,
            revision: start + BigInt(index),
            id: event.id,
            type: event.type,
            data: event.data,
            metadata: event.metadata,
            position: positionOf(this.lastCommit, this.lastEvent),
            recordedAtMs,
          });
          state.events.push(stored);
          state.revisionOfId.set(stored.id, stored.revision);
          this.log.push(stored);
        });
      const last = state.events[Number(start) + append.events.length - 1] as StoredEvent;
      return { nextExpectedRevision: last.revision, position: last.position };
    });
    for (const { stream, claim, revision } of newClaims)
      this.stateOf(stream).claims.set(claim, revision);
    return results;
  }

  private stateOf(stream: string): StreamState {
    let state = this.streams.get(stream);
    if (!state)
      this.streams.set(
        stream,
        (state = { events: [], revisionOfId: new Map(), claims: new Map() }),
      );
    return state;
  }

  private eventsFrom(stream: string, fromRevision: bigint): RecordedEvent[] {
    const events = this.streams.get(stream)?.events ?? [];
    return events.slice(Math.max(0, indexAtMost(fromRevision, events.length))).map(recorded);
  }

  /** The index in the log of the first event after `from`, found by halves (positions rise). */
  private indexAfter(from: ReadFrom): number {
    if (from === 'start') return 0;
    pairOf(from); // refuses what is not a position token, as the PostgreSQL adapter does
    let [low, high] = [0, this.log.length];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.log[middle] as StoredEvent).position <= (from as Position)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** A revision as an array index, no higher than `ceiling` (a revision may exceed any index). */
function indexAtMost(revision: bigint, ceiling: number): number {
  return revision > BigInt(ceiling) ? ceiling : Number(revision);
}
