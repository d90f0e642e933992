import type {
  AllPage,
  AppendResult,
  EventData,
  EventStore,
  ExpectedRevision,
  JsonObject,
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
import { comparePositions, pairOf, positionOf, type Position } from '../port/positions';
import type { CatchUpOptions, Subscription } from '../port/subscription';
import { CatchUpSubscription } from '../subscription/catch-up-subscription';
import { StreamNotFoundError } from '../port/errors';
import type { DriverEvent, DriverPosition, EsdbDriver } from './driver';
import { TranslatedDriver } from './driver-errors';
import {
  appendedMetadata,
  EventStoreDbStreamIndex,
  STREAM_INDEX_PREFIX,
} from './eventstoredb-stream-index';
import { KurrentDriver } from './kurrent-driver';
import { CHECKPOINT_STREAM_PREFIX, EventStoreDbCheckpoints } from './eventstoredb-checkpoints';
import { CLAIM_STREAM_PREFIX, EventStoreDbClaims } from './eventstoredb-claims';
import { EventStoreDbSnapshots, SNAPSHOT_STREAM_PREFIX } from './eventstoredb-snapshots';
import type { ClaimQuery, FoundClaims, StoredClaim } from '../port/claims';

function tokenOf(position: DriverPosition | undefined): Position {
  return position ? positionOf(position.commit, position.prepare) : ('' as Position);
}

function recorded(event: DriverEvent): RecordedEvent {
  return {
    streamName: event.streamId,
    revision: event.revision,
    id: event.id,
    type: event.type,
    data: event.data as JsonObject,
    metadata: appendedMetadata(event.metadata),
    position: tokenOf(event.position),
    recordedAt: event.created,
  };
}

/**
 * System streams ($-prefixed) are EventStoreDB's bookkeeping, and checkpoint, claim and snapshot
 * streams ours: none is in the global log the port shows (PostgreSQL keeps them in tables). The
 * server skips them, so a reader is not sent what it would throw away.
 */
const OWN_BOOKKEEPING = [
  CHECKPOINT_STREAM_PREFIX,
  CLAIM_STREAM_PREFIX,
  SNAPSHOT_STREAM_PREFIX,
  STREAM_INDEX_PREFIX,
];
const LEDGER_STREAMS = `^(?!\\$|${OWN_BOOKKEEPING.map(escapeRegex).join('|')})`;
const streamsOf = (category: string) => `^${escapeRegex(categoryPrefix(category))}`;

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
}

/** What the server's filter lets through that the port still hides: system events by type. */
const isSystemEvent = (event: DriverEvent): boolean => event.type.startsWith('$');

/**
 * The event store on EventStoreDB or KurrentDB (the design's production store). Appends name
 * their exact or `no_stream` revision so the server's idempotency check answers retries. The
 * classic append has no multi-stream transaction: appendToStreams writes stream by stream, each
 * atomic and idempotent, so a caller that retries after a conflict converges. Claims are
 * entered and checked before the events that make them (see EventStoreDbClaims).
 */
export class EventStoreDbEventStore implements EventStore {
  readonly adapterName = 'eventstoredb';
  readonly atomicMultiStreamAppend = false;
  readonly checkpoints: EventStoreDbCheckpoints;
  readonly snapshots: EventStoreDbSnapshots;
  private readonly claims: EventStoreDbClaims;
  private readonly streamIndex: EventStoreDbStreamIndex;

  private readonly driver: EsdbDriver;

  /** `driver` throws the client's errors; the adapter's calls see only the port's. */
  constructor(driver: EsdbDriver) {
    this.driver = new TranslatedDriver(driver);
    this.checkpoints = new EventStoreDbCheckpoints(this.driver);
    this.snapshots = new EventStoreDbSnapshots(this.driver);
    this.claims = new EventStoreDbClaims(this.driver);
    this.streamIndex = new EventStoreDbStreamIndex(this.driver);
  }

  static connect(connectionString: string): EventStoreDbEventStore {
    return new EventStoreDbEventStore(KurrentDriver.connect(connectionString));
  }

  async appendToStream(
    stream: string,
    events: readonly EventData[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    const append = { stream, events, expectedRevision: options.expectedRevision };
    validateAppends([append]);
    if (events.some((event) => event.claims?.length)) await this.claims.enter(append);
    const appended = events.map(({ id, type, data, metadata }) => ({
      id,
      type,
      data,
      ...(metadata === undefined ? {} : { metadata }),
    }));
    const result = await this.driver.append(
      stream,
      (await this.mayCreate(stream, options.expectedRevision))
        ? await this.streamIndex.enter(stream, appended)
        : appended,
      options.expectedRevision,
    );
    return {
      nextExpectedRevision: result.nextExpectedRevision,
      position: tokenOf(result.position),
    };
  }

  /** Stream by stream; a failure is reported once every stream's append has settled. */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    validateAppends(appends);
    const settled = await Promise.allSettled(
      appends.map(({ stream, events, expectedRevision }) =>
        this.appendToStream(stream, events, { expectedRevision }),
      ),
    );
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((result) => (result as PromiseFulfilledResult<AppendResult>).value);
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    for await (const event of this.driver.readStream(stream, {
      direction: backwards ? 'backwards' : 'forwards',
      fromRevision: options.fromRevision ?? (backwards ? 'end' : 'start'),
      maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
    }))
      events.push(recorded(event));
    return events;
  }

  async readStreams(
    streams: readonly string[],
    options: { readonly fromRevisions?: ReadonlyMap<string, bigint> } = {},
  ): Promise<Map<string, RecordedEvent[]>> {
    const read = await Promise.all(
      streams.map((stream) =>
        this.readStream(stream, { fromRevision: options.fromRevisions?.get(stream) ?? 0n }).catch(
          (error: unknown) => {
            if (error instanceof StreamNotFoundError) return [];
            throw error;
          },
        ),
      ),
    );
    return new Map(streams.map((stream, index) => [stream, read[index] as RecordedEvent[]]));
  }

  /** The snapshots first, then each tail after its snapshot: two parallel waves, consistent. */
  async readStreamsFromSnapshots(
    streams: readonly string[],
    stateVersion: string,
    options: ReadSnapshotsOptions = {},
  ): Promise<Map<string, StreamFromSnapshot>> {
    const snapshots = await this.snapshots.readLatest(streams, stateVersion, options);
    const tails = await this.readStreams(streams, {
      fromRevisions: new Map(
        [...snapshots].map(([stream, snapshot]) => [stream, snapshot.revision + 1n]),
      ),
    });
    return new Map(
      streams.map((stream) => [
        stream,
        { snapshot: snapshots.get(stream) ?? null, events: tails.get(stream) ?? [] },
      ]),
    );
  }

  /** From the category's index, with no pass over the log (see EventStoreDbStreamIndex). */
  async *listStreams(category: string, pageSize: number): AsyncIterable<string[]> {
    countOf('pageSize', pageSize, 1);
    yield* this.streamIndex.list(category, pageSize);
  }

  async readAll(options: ReadAllOptions): Promise<AllPage> {
    const after = options.from === 'start' ? null : options.from;
    const events: RecordedEvent[] = [];
    // The server's read starts at its position, inclusive; the port's `from` is exclusive: ask
    // for one more, which is the event at `from` when it is one the filter lets through.
    const requested = options.maxCount + (after === null ? 0 : 1);
    let returned = 0;
    let lastPosition: Position | null = null;
    for await (const event of this.driver.readAll({
      fromPosition: after === null ? 'start' : driverPosition(after),
      maxCount: requested,
      streamNameRegex:
        options.category === undefined ? LEDGER_STREAMS : streamsOf(options.category),
    })) {
      returned += 1;
      const position = tokenOf(event.position);
      if (after !== null && comparePositions(position, after) <= 0) continue;
      if (events.length === options.maxCount) return { events, lastPosition, isEnd: false };
      lastPosition = position;
      if (!isSystemEvent(event)) events.push(recorded(event));
    }
    return { events, lastPosition, isEnd: returned < requested };
  }

  /** Whether an append at this revision may be the stream's first: then it is indexed. */
  private async mayCreate(stream: string, expected: ExpectedRevision): Promise<boolean> {
    if (expected === 'no_stream') return true;
    if (expected !== 'any') return false;
    try {
      for await (const _event of this.driver.readStream(stream, {
        direction: 'backwards',
        fromRevision: 'end',
        maxCount: 1,
      }))
        return false;
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return true;
  }

  findClaims(queries: readonly ClaimQuery[]): Promise<FoundClaims> {
    validateClaimQueries(queries);
    return this.claims.find(queries);
  }

  recordClaims(stream: string, claims: readonly StoredClaim[]): Promise<number> {
    validateStoredClaims(claims);
    return this.claims.record(stream, claims);
  }

  subscribeToAll(options: CatchUpOptions): Subscription {
    return new CatchUpSubscription((read) => this.readAll(read), options);
  }

  async close(): Promise<void> {
    await this.driver.dispose();
  }
}

function driverPosition(position: Position): DriverPosition {
  const [commit, prepare] = pairOf(position);
  return { commit, prepare };
}
