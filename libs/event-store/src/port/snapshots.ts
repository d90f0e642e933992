/**
 * A stream's folded state at a revision, in a serialized form its writer versions. Only a
 * shortcut in front of the stream: a reader that cannot use one (another version, a state that
 * does not decode) folds the stream from the start instead, and nothing is lost.
 */
export interface Snapshot {
  readonly stream: string;
  /** The revision of the last event folded into it. */
  readonly revision: bigint;
  /** Whose form the state is in: a reader uses only its own version. */
  readonly stateVersion: string;
  /** The time of the last event folded (the event's own time, as the writer reads it). */
  readonly lastEventAt: Date;
  /** The serialized state, as text (well-formed Unicode with no NUL: JSON is). */
  readonly state: string;
}

export interface ReadSnapshotsOptions {
  /** Only snapshots whose last event is at or before this instant (an as-of read). */
  readonly atOrBefore?: Date;
}

/**
 * Snapshots beside the streams. A store keeps the newest `SNAPSHOTS_KEPT` of each stream in
 * the version being written (older versions go at the next write), so as-of reads in the
 * recent past find one too.
 */
export interface SnapshotStore {
  /** Per stream, the newest snapshot in this version (and at or before `atOrBefore`). */
  readLatest(
    streams: readonly string[],
    stateVersion: string,
    options?: ReadSnapshotsOptions,
  ): Promise<Map<string, Snapshot>>;
  /** Best effort for the caller, idempotent: writing the same snapshot twice keeps one. */
  write(snapshots: readonly Snapshot[]): Promise<void>;
  /** Every kept snapshot of a stream, newest first: what a reconciliation checks. */
  readAllOf(stream: string): Promise<Snapshot[]>;
}

export const SNAPSHOTS_KEPT = 12;

/** Snapshots per write call: a caller with more writes in several calls. */
export const MAX_SNAPSHOTS_PER_WRITE = 1_000;
