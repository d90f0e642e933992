import { InvalidAppendError } from '../port/errors';
import {
  MAX_SNAPSHOTS_PER_WRITE,
  SNAPSHOTS_KEPT,
  type ReadSnapshotsOptions,
  type Snapshot,
  type SnapshotStore,
} from '../port/snapshots';
import { epochMsOf, refuseUnstorableText } from './stored-values';

interface KeptSnapshot {
  readonly stream: string;
  readonly revision: bigint;
  readonly stateVersion: string;
  readonly lastEventAtMs: number;
  readonly state: string;
}

/** A fresh, frozen snapshot for a caller, with a Date of its own. */
function snapshotOf(kept: KeptSnapshot): Snapshot {
  return Object.freeze({
    stream: kept.stream,
    revision: kept.revision,
    stateVersion: kept.stateVersion,
    lastEventAt: new Date(kept.lastEventAtMs),
    state: kept.state,
  });
}

/** Newest first, then by version: the order readAllOf answers in, as PostgreSQL's. */
function newestFirst(a: KeptSnapshot, b: KeptSnapshot): number {
  if (a.revision !== b.revision) return a.revision > b.revision ? -1 : 1;
  return a.stateVersion < b.stateVersion ? -1 : a.stateVersion > b.stateVersion ? 1 : 0;
}

function kept(snapshot: Snapshot): KeptSnapshot {
  refuseUnstorableText('a snapshot stream name', snapshot.stream);
  refuseUnstorableText('a snapshot state version', snapshot.stateVersion);
  refuseUnstorableText(`the snapshot state of ${snapshot.stream}`, snapshot.state);
  return {
    stream: snapshot.stream,
    revision: snapshot.revision,
    stateVersion: snapshot.stateVersion,
    lastEventAtMs: epochMsOf('a snapshot lastEventAt', snapshot.lastEventAt),
    state: snapshot.state,
  };
}

const sameKey = (a: KeptSnapshot, b: KeptSnapshot): boolean =>
  a.revision === b.revision && a.stateVersion === b.stateVersion;

/**
 * Snapshots beside the in-memory streams, pruned as PostgreSQL's are: a write first drops, of
 * each stream it writes, the snapshots of any other version and all but the newest
 * SNAPSHOTS_KEPT of its own, then adds its own, so a stream keeps at most SNAPSHOTS_KEPT + 1
 * between writes. Writing one already there (stream, version, revision) keeps the first.
 */
export class InMemorySnapshots implements SnapshotStore {
  /** Per stream, newest first. */
  private readonly byStream = new Map<string, KeptSnapshot[]>();

  async readLatest(
    streams: readonly string[],
    stateVersion: string,
    options: ReadSnapshotsOptions = {},
  ): Promise<Map<string, Snapshot>> {
    const found = new Map<string, Snapshot>();
    for (const stream of streams) {
      const snapshot = this.newest(stream, stateVersion, options.atOrBefore);
      if (snapshot) found.set(stream, snapshot);
    }
    return found;
  }

  /** The newest in this version (and at or before the instant), now: the store reads it so. */
  newest(stream: string, stateVersion: string, atOrBefore?: Date): Snapshot | null {
    const latestMs = atOrBefore === undefined ? Infinity : epochMsOf('atOrBefore', atOrBefore);
    const found = this.byStream
      .get(stream)
      ?.find((one) => one.stateVersion === stateVersion && one.lastEventAtMs <= latestMs);
    return found ? snapshotOf(found) : null;
  }

  async write(snapshots: readonly Snapshot[]): Promise<void> {
    if (snapshots.length > MAX_SNAPSHOTS_PER_WRITE)
      throw new InvalidAppendError(
        `${snapshots.length} snapshots in one write, more than ${MAX_SNAPSHOTS_PER_WRITE}`,
      );
    // Every snapshot checked before any is kept: a refused write keeps nothing.
    const written = Map.groupBy(snapshots.map(kept), (snapshot) => snapshot.stream);
    for (const [stream, ofStream] of written) {
      const versions = new Set(ofStream.map((snapshot) => snapshot.stateVersion));
      const stays = this.pruned(this.byStream.get(stream) ?? [], versions);
      for (const snapshot of ofStream)
        if (!stays.some((one) => sameKey(one, snapshot))) stays.push(snapshot);
      this.byStream.set(stream, stays.sort(newestFirst));
    }
  }

  async readAllOf(stream: string): Promise<Snapshot[]> {
    return (this.byStream.get(stream) ?? []).map(snapshotOf);
  }

  /**
   * What stays of a stream's snapshots before a write in these versions: the newest
   * SNAPSHOTS_KEPT of the version written. A write in two versions at once keeps none before it,
   * as PostgreSQL's prune does: each version drops the other's.
   */
  private pruned(before: readonly KeptSnapshot[], versions: ReadonlySet<string>): KeptSnapshot[] {
    if (versions.size !== 1) return [];
    return before.filter((one) => versions.has(one.stateVersion)).slice(0, SNAPSHOTS_KEPT);
  }
}
