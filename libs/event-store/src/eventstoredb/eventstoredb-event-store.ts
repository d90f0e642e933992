import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  jsonEvent,
  type AllStreamResolvedEvent,
  type Position as EsdbPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
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
import { translateEsdbError } from './driver-errors';
import { CHECKPOINT_STREAM_PREFIX, EventStoreDbCheckpoints } from './eventstoredb-checkpoints';
import { CLAIM_STREAM_PREFIX, EventStoreDbClaims } from './eventstoredb-claims';
import { EventStoreDbSnapshots, SNAPSHOT_STREAM_PREFIX } from './eventstoredb-snapshots';
import type { ClaimQuery, FoundClaims, StoredClaim } from '../port/claims';

type DriverRecorded = NonNullable<ResolvedEvent['event']>;

function tokenOf(position: EsdbPosition): Position {
  return positionOf(position.commit, position.prepare);
}

function recorded(event: DriverRecorded, position: EsdbPosition | undefined): RecordedEvent {
  return {
    streamName: event.streamId,
    revision: event.revision,
    id: event.id,
    type: event.type,
    data: event.data as JsonObject,
    metadata: (event.metadata as JsonObject | undefined) ?? null,
    position: position ? tokenOf(position) : ('' as Position),
    recordedAt: event.created,
  };
}

/**
 * System streams and events ($-prefixed) are EventStoreDB's bookkeeping, and checkpoint, claim
 * and snapshot streams ours: none is in the global log the port shows (PostgreSQL keeps them in
 * tables).
 */
const OWN_BOOKKEEPING = [CHECKPOINT_STREAM_PREFIX, CLAIM_STREAM_PREFIX, SNAPSHOT_STREAM_PREFIX];
function isBookkeeping(event: DriverRecorded): boolean {
  return (
    event.streamId.startsWith('$') ||
    event.type.startsWith('$') ||
    OWN_BOOKKEEPING.some((prefix) => event.streamId.startsWith(prefix))
  );
}

/**
 * The event store on EventStoreDB (the design's production store). Appends name their exact or
 * `no_stream` revision so the server's idempotency check answers retries. EventStoreDB 6's client
 * has no multi-stream transaction: appendToStreams writes stream by stream, each atomic and
 * idempotent, so a caller that retries after a conflict converges. Claims are written before
 * the events that make them and count only once those are stored (see EventStoreDbClaims).
 */
export class EventStoreDbEventStore implements EventStore {
  readonly adapterName = 'eventstoredb';
  readonly atomicMultiStreamAppend = false;
  readonly checkpoints: EventStoreDbCheckpoints;
  readonly snapshots: EventStoreDbSnapshots;
  private readonly claims: EventStoreDbClaims;

  constructor(private readonly client: EventStoreDBClient) {
    this.checkpoints = new EventStoreDbCheckpoints(client);
    this.snapshots = new EventStoreDbSnapshots(client);
    this.claims = new EventStoreDbClaims(client);
  }

  static connect(connectionString: string): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString));
  }

  async appendToStream(
    stream: string,
    events: readonly EventData[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    const append = { stream, events, expectedRevision: options.expectedRevision };
    validateAppends([append]);
    if (events.some((event) => event.claims?.length)) await this.claims.writeEntries(append);
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map((event) =>
          jsonEvent({
            id: event.id,
            type: event.type,
            data: event.data as Record<string, unknown>,
            ...(event.metadata === undefined ? {} : { metadata: event.metadata }),
          }),
        ),
        { expectedRevision: options.expectedRevision },
      );
      return {
        nextExpectedRevision: result.nextExpectedRevision,
        position: result.position ? tokenOf(result.position) : ('' as Position),
      };
    } catch (error) {
      throw translateEsdbError(error, { stream, expected: options.expectedRevision });
    }
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    validateAppends(appends);
    return Promise.all(
      appends.map(({ stream, events, expectedRevision }) =>
        this.appendToStream(stream, events, { expectedRevision }),
      ),
    );
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision ?? (backwards ? END : START),
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      })) {
        if (resolved.event) events.push(recorded(resolved.event, resolved.event.position));
      }
    } catch (error) {
      throw translateEsdbError(error, { stream });
    }
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

  /**
   * Streams are found by their first event (revision 0) in one pass over the global log (this
   * client's readAll takes no server-side filter): its cost is the log's, once, not per page.
   */
  async *listStreams(category: string, pageSize: number): AsyncIterable<string[]> {
    countOf('pageSize', pageSize, 1);
    const prefix = categoryPrefix(category);
    let page: string[] = [];
    try {
      const read = this.client.readAll({
        direction: FORWARDS,
        fromPosition: START,
      });
      for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
        const event = resolved.event;
        if (!event || event.revision !== 0n || !event.streamId.startsWith(prefix)) continue;
        page.push(event.streamId);
        if (page.length < pageSize) continue;
        yield page;
        page = [];
      }
    } catch (error) {
      throw translateEsdbError(error);
    }
    if (page.length > 0) yield page;
  }

  async readAll(options: ReadAllOptions): Promise<AllPage> {
    const from = options.from === 'start' ? START : this.driverPosition(options.from);
    const prefix = options.category === undefined ? null : categoryPrefix(options.category);
    const events: RecordedEvent[] = [];
    // readAll starts at its position, inclusive; the port's `from` is exclusive: ask for one more.
    const requested = options.maxCount + (options.from === 'start' ? 0 : 1);
    let returned = 0;
    let lastPosition: Position | null = null;
    try {
      const read = this.client.readAll({
        direction: FORWARDS,
        fromPosition: from,
        maxCount: requested,
      });
      for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
        returned += 1;
        const event = resolved.event;
        if (!event) continue;
        const position = tokenOf(event.position);
        if (options.from !== 'start' && comparePositions(position, options.from) <= 0) continue;
        lastPosition = position;
        if (isBookkeeping(event) || (prefix !== null && !event.streamId.startsWith(prefix)))
          continue;
        events.push(recorded(event, event.position));
      }
    } catch (error) {
      throw translateEsdbError(error);
    }
    return { events, lastPosition, isEnd: returned < requested };
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
    await this.client.dispose();
  }

  private driverPosition(position: Position): EsdbPosition {
    const [commit, prepare] = pairOf(position);
    return { commit, prepare };
  }
}
