import type { CheckpointStore } from './checkpoints';
import type { ClaimQuery, FoundClaims } from './claims';
import type { SnapshotStore } from './snapshots';
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

  readAll(options: ReadAllOptions): Promise<AllPage>;

  /**
   * Which of these claims are held, and by the event at which revision: in one round trip on a
   * store that can (PostgreSQL), in one parallel wave otherwise. A claim whose append failed is
   * not held. At most MAX_CLAIMS_PER_QUERY claims.
   */
  findClaims(queries: readonly ClaimQuery[]): Promise<FoundClaims>;

  subscribeToAll(options: CatchUpOptions): Subscription;

  close(): Promise<void>;
}
