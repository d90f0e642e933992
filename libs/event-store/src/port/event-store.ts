import type { CheckpointStore } from './checkpoints';
import type { ClaimQuery, FoundClaims, StoredClaim } from './claims';
import type { ReadSnapshotsOptions, Snapshot, SnapshotStore } from './snapshots';
import type { Position, ReadFrom } from './positions';
import type { EventData, ExpectedRevision, RecordedEvent } from './recorded-event';
import type { CatchUpOptions, Subscription } from './subscription';

export type * from './recorded-event';
export type * from './subscription';

export interface AppendResult {
  /** The revision of the stream's last event: the expected revision of the next append. */
  readonly nextExpectedRevision: bigint;
  /** The position of the last event appended. */
  readonly position: Position;
}

export interface StreamAppend {
  readonly stream: string;
  readonly events: readonly EventData[];
  readonly expectedRevision: ExpectedRevision;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive; the first (forwards) or last (backwards) event by default. */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

/** A stream read from its newest usable snapshot. */
export interface StreamFromSnapshot {
  /** Null when the stream has none usable: `events` is then the whole stream. */
  readonly snapshot: Snapshot | null;
  /** The stream's events after the snapshot's revision, in order. */
  readonly events: RecordedEvent[];
}

export interface ReadAllOptions {
  /** Exclusive: the read starts after this position. */
  readonly from: ReadFrom;
  readonly maxCount: number;
  /** Only streams named `<category>-…`. */
  readonly category?: string;
}

export interface AllPage {
  readonly events: RecordedEvent[];
  /** How far the read got, matched or not: the `from` of the next read. Null when nothing was read. */
  readonly lastPosition: Position | null;
  /** Nothing more is readable now. */
  readonly isEnd: boolean;
}

/**
 * The ledger's durable home: streams with optimistic concurrency and one global log. Adapters
 * (PostgreSQL, EventStoreDB) pass one conformance suite; no driver type or error crosses this port.
 */
export interface EventStore {
  readonly adapterName: string;
  /** Whether appendToStreams writes all streams or none; otherwise each stream on its own. */
  readonly atomicMultiStreamAppend: boolean;
  readonly checkpoints: CheckpointStore;
  readonly snapshots: SnapshotStore;

  appendToStream(
    stream: string,
    events: readonly EventData[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;

  /** Many streams, each at its own expected revision, in as few round trips as the store allows. */
  appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]>;

  /** Throws StreamNotFoundError for a stream with no events. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /**
   * Many whole streams forwards, in as few round trips as the store allows: what a writer needs
   * to load the accounts of a batch. A stream with no events comes back empty, not as an error.
   * A stream in `fromRevisions` is read from that revision on (the tail after a snapshot).
   */
  readStreams(
    streams: readonly string[],
    options?: { readonly fromRevisions?: ReadonlyMap<string, bigint> },
  ): Promise<Map<string, RecordedEvent[]>>;

  /**
   * Each stream's newest snapshot in `stateVersion` (and at or before `atOrBefore`) and its
   * events after that snapshot, as one consistent read: what loads an account without folding
   * its whole history. One round trip on PostgreSQL; on a store that cannot, the snapshots are
   * read first and the tails after them. A stream with no events and no snapshot comes back
   * empty, not as an error.
   */
  readStreamsFromSnapshots(
    streams: readonly string[],
    stateVersion: string,
    options?: ReadSnapshotsOptions,
  ): Promise<Map<string, StreamFromSnapshot>>;

  /**
   * The name of every stream of a category that has events, each once, in pages of at most
   * `pageSize`, in no promised order: what a reader that visits every account walks, without
   * reading the global log.
   */
  listStreams(category: string, pageSize: number): AsyncIterable<string[]>;

  readAll(options: ReadAllOptions): Promise<AllPage>;

  /**
   * Which of these claims are held, and by the event at which revision: in one round trip on a
   * store that can (PostgreSQL), in one parallel wave otherwise. A claim whose append failed is
   * not held. At most MAX_CLAIMS_PER_QUERY claims.
   */
  findClaims(queries: readonly ClaimQuery[]): Promise<FoundClaims>;

  /**
   * Claims of events already stored, for a stream stored before claims were written (a
   * backfill): each is held from now on by the event it names, unless it is held already, where
   * it stays; one whose event is not stored at that revision is not recorded. Run it while no
   * writer appends to the stream. Returns how many claims it recorded.
   */
  recordClaims(stream: string, claims: readonly StoredClaim[]): Promise<number>;

  subscribeToAll(options: CatchUpOptions): Subscription;

  close(): Promise<void>;
}
