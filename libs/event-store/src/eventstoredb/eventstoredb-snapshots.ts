import { randomUUID } from 'node:crypto';
import { BACKWARDS, END, jsonEvent, type EventStoreDBClient } from '@eventstore/db-client';
import { StreamNotFoundError } from '../port/errors';
import {
  SNAPSHOTS_KEPT,
  type ReadSnapshotsOptions,
  type Snapshot,
  type SnapshotStore,
} from '../port/snapshots';
import { translateEsdbError } from './driver-errors';

export const SNAPSHOT_STREAM_PREFIX = 'es-snapshot-';
const snapshotStreamOf = (stream: string) => `${SNAPSHOT_STREAM_PREFIX}${stream}`;

interface SnapshotData {
  readonly revision: string;
  readonly stateVersion: string;
  readonly lastEventAt: string;
  readonly state: string;
}

/**
 * A snapshot stream per stream, trimmed by the server to the newest SNAPSHOTS_KEPT ($maxCount,
 * set when the stream is first written). Reads take the newest usable of those.
 */
export class EventStoreDbSnapshots implements SnapshotStore {
  constructor(private readonly client: EventStoreDBClient) {}

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
    await Promise.all(
      snapshots.map(async (snapshot) => {
        const stream = snapshotStreamOf(snapshot.stream);
        const data: SnapshotData = {
          revision: snapshot.revision.toString(),
          stateVersion: snapshot.stateVersion,
          lastEventAt: snapshot.lastEventAt.toISOString(),
          state: snapshot.state,
        };
        try {
          const result = await this.client.appendToStream(
            stream,
            jsonEvent({ id: randomUUID(), type: 'SnapshotTaken', data: { ...data } }),
          );
          if (result.nextExpectedRevision === 0n)
            await this.client.setStreamMetadata(stream, { maxCount: SNAPSHOTS_KEPT });
        } catch (error) {
          throw translateEsdbError(error, { stream });
        }
      }),
    );
  }

  async readAllOf(stream: string): Promise<Snapshot[]> {
    const snapshots: Snapshot[] = [];
    try {
      for await (const resolved of this.client.readStream(snapshotStreamOf(stream), {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: SNAPSHOTS_KEPT,
      })) {
        const data = resolved.event?.data as SnapshotData | undefined;
        if (!data) continue;
        snapshots.push({
          stream,
          revision: BigInt(data.revision),
          stateVersion: data.stateVersion,
          lastEventAt: new Date(data.lastEventAt),
          state: data.state,
        });
      }
    } catch (error) {
      const translated = translateEsdbError(error, { stream: snapshotStreamOf(stream) });
      if (translated instanceof StreamNotFoundError) return [];
      throw translated;
    }
    return snapshots;
  }
}
