import {
  EventStoreUnavailableError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '../port/errors';
import {
  SNAPSHOTS_KEPT,
  type ReadSnapshotsOptions,
  type Snapshot,
  type SnapshotStore,
} from '../port/snapshots';
import type { EsdbDriver } from './driver';
import { entryIdOf } from './entry-ids';

export const SNAPSHOT_STREAM_PREFIX = 'es-snapshot-';
const snapshotStreamOf = (stream: string) => `${SNAPSHOT_STREAM_PREFIX}${stream}`;

/**
 * Snapshot events read back per stream: the kept ones, plus what a writer of another version or
 * a trim not yet done leaves after them. Older ones are not read, so never used.
 */
const SNAPSHOTS_READ = SNAPSHOTS_KEPT * 4;
/** Writers racing on one snapshot stream, and tries of one trim, before the write gives up. */
const WRITE_ATTEMPTS = 3;

interface SnapshotData {
  readonly revision: string;
  readonly stateVersion: string;
  readonly lastEventAt: string;
  readonly state: string;
}

/** A snapshot as stored: its place in the snapshot stream, and what it holds. */
interface Taken {
  readonly at: bigint;
  readonly snapshot: Snapshot;
}

const sameSnapshot = (a: Snapshot, b: Snapshot): boolean =>
  a.revision === b.revision && a.stateVersion === b.stateVersion;

/**
 * A snapshot stream per stream. A snapshot is written once: its id comes from its stream,
 * version and revision, at the snapshot stream's next revision, so a repeat finds it and a
 * retried append is answered as done. After a write the stream is truncated (`$tb`) before
 * what it no longer keeps.
 */
export class EventStoreDbSnapshots implements SnapshotStore {
  constructor(private readonly driver: EsdbDriver) {}

  async readLatest(
    streams: readonly string[],
    stateVersion: string,
    options: ReadSnapshotsOptions = {},
  ): Promise<Map<string, Snapshot>> {
    const read = await Promise.all(streams.map((stream) => this.readAllOf(stream)));
    const found = new Map<string, Snapshot>();
    read.forEach((snapshots, index) => {
      const usable = snapshots
        .filter(
          (snapshot) =>
            snapshot.stateVersion === stateVersion &&
            (options.atOrBefore === undefined || snapshot.lastEventAt <= options.atOrBefore),
        )
        .sort((a, b) => (a.revision < b.revision ? 1 : a.revision > b.revision ? -1 : 0))[0];
      if (usable) found.set(streams[index] as string, usable);
    });
    return found;
  }

  async write(snapshots: readonly Snapshot[]): Promise<void> {
    const byStream = Map.groupBy(snapshots, (snapshot) => snapshot.stream);
    await Promise.all([...byStream].map(([stream, ofStream]) => this.writeTo(stream, ofStream)));
  }

  /** Every kept snapshot of a stream, newest written first, each once. */
  async readAllOf(stream: string): Promise<Snapshot[]> {
    return unique(await this.taken(stream)).map(({ snapshot }) => snapshot);
  }

  /** One append of the stream's snapshots not already there, at the snapshot stream's end. */
  private async writeTo(stream: string, snapshots: readonly Snapshot[]): Promise<void> {
    const snapshotStream = snapshotStreamOf(stream);
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
      const taken = await this.taken(stream);
      const fresh = snapshots.filter(
        (snapshot, index) =>
          !taken.some((kept) => sameSnapshot(kept.snapshot, snapshot)) &&
          snapshots.findIndex((other) => sameSnapshot(other, snapshot)) === index,
      );
      if (fresh.length === 0) return this.trim(snapshotStream, taken);
      try {
        const written = await this.driver.append(
          snapshotStream,
          fresh.map((snapshot) => ({
            id: entryIdOf('snapshot', stream, snapshot.stateVersion, snapshot.revision.toString()),
            type: 'SnapshotTaken',
            data: { ...dataOf(snapshot) },
          })),
          taken[0]?.at ?? 'no_stream',
        );
        const first = written.nextExpectedRevision - BigInt(fresh.length) + 1n;
        const appended = fresh.map((snapshot, index) => ({ at: first + BigInt(index), snapshot }));
        return this.trim(snapshotStream, [...appended.reverse(), ...taken]);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    throw new EventStoreUnavailableError(
      `snapshot stream ${snapshotStream} kept moving under ${WRITE_ATTEMPTS} writes: retry later`,
    );
  }

  /**
   * Truncates the stream before the oldest snapshot it keeps: the newest SNAPSHOTS_KEPT of each
   * version among the last SNAPSHOTS_READ, so an older version goes once a newer one has filled
   * the window. A trim that fails is tried again; one never done is redone by the next write,
   * and reads never look past SNAPSHOTS_READ meanwhile.
   */
  private async trim(stream: string, newestFirst: readonly Taken[]): Promise<void> {
    const window = unique(newestFirst.slice(0, SNAPSHOTS_READ));
    const kept = [...Map.groupBy(window, ({ snapshot }) => snapshot.stateVersion).values()].flatMap(
      (ofVersion) =>
        ofVersion
          .sort((a, b) => (a.snapshot.revision < b.snapshot.revision ? 1 : -1))
          .slice(0, SNAPSHOTS_KEPT),
    );
    const truncateBefore = kept.reduce(
      (oldest, { at }) => (at < oldest ? at : oldest),
      kept[0]?.at ?? 0n,
    );
    if (!newestFirst.some(({ at }) => at < truncateBefore)) return;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.driver.setStreamLimits(stream, { truncateBefore });
      } catch (error) {
        if (attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }

  /** The stream's snapshot events, newest written first. */
  private async taken(stream: string): Promise<Taken[]> {
    const taken: Taken[] = [];
    try {
      for await (const event of this.driver.readStream(snapshotStreamOf(stream), {
        direction: 'backwards',
        fromRevision: 'end',
        maxCount: SNAPSHOTS_READ,
      })) {
        const data = event.data as SnapshotData | undefined;
        if (!data) continue;
        taken.push({
          at: event.revision,
          snapshot: {
            stream,
            revision: BigInt(data.revision),
            stateVersion: data.stateVersion,
            lastEventAt: new Date(data.lastEventAt),
            state: data.state,
          },
        });
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return taken;
  }
}

function dataOf(snapshot: Snapshot): SnapshotData {
  return {
    revision: snapshot.revision.toString(),
    stateVersion: snapshot.stateVersion,
    lastEventAt: snapshot.lastEventAt.toISOString(),
    state: snapshot.state,
  };
}

/** Duplicates (two writers of one snapshot before ids were derived) read as one. */
function unique(newestFirst: readonly Taken[]): Taken[] {
  return newestFirst.filter(
    (taken, index) =>
      newestFirst.findIndex((other) => sameSnapshot(other.snapshot, taken.snapshot)) === index,
  );
}
