import type { Pool } from 'pg';
import { InvalidAppendError } from '../port/errors';
import {
  MAX_SNAPSHOTS_PER_WRITE,
  SNAPSHOTS_KEPT,
  type ReadSnapshotsOptions,
  type Snapshot,
  type SnapshotStore,
} from '../port/snapshots';
import { translatePgError } from './driver-errors';

interface SnapshotRow {
  stream_name: string;
  stream_revision: string;
  state_version: string;
  last_event_at: Date;
  state: string;
}

function snapshotOf(row: SnapshotRow): Snapshot {
  return {
    stream: row.stream_name,
    revision: BigInt(row.stream_revision),
    stateVersion: row.state_version,
    lastEventAt: row.last_event_at,
    state: row.state,
  };
}

const COLUMNS = 'stream_name, stream_revision, state_version, last_event_at, state';

// The write and the pruning in one statement. The prune sees the table as it was before the
// insert, so a stream keeps at most SNAPSHOTS_KEPT + 1 rows between writes.
const WRITE = `WITH written AS (
    INSERT INTO es_snapshots (stream_name, stream_revision, state_version, last_event_at, state)
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::timestamptz[], $5::text[])
    ON CONFLICT DO NOTHING
    RETURNING 1
  ), ranked AS (
    SELECT s.stream_name, s.state_version, s.stream_revision,
           row_number() OVER (PARTITION BY s.stream_name ORDER BY s.stream_revision DESC) AS rank,
           s.state_version = w.state_version AS current
      FROM es_snapshots s
      JOIN unnest($1::text[], $3::text[]) AS w(stream_name, state_version)
        ON w.stream_name = s.stream_name
  )
  DELETE FROM es_snapshots s USING ranked r
   WHERE s.stream_name = r.stream_name AND s.state_version = r.state_version
     AND s.stream_revision = r.stream_revision AND (NOT r.current OR r.rank > $6)`;

/** Snapshots in es_snapshots, written and read in one statement per call. */
export class PostgresSnapshots implements SnapshotStore {
  constructor(private readonly pool: Pool) {}

  async readLatest(
    streams: readonly string[],
    stateVersion: string,
    options: ReadSnapshotsOptions = {},
  ): Promise<Map<string, Snapshot>> {
    const found = new Map<string, Snapshot>();
    if (streams.length === 0) return found;
    try {
      const { rows } = await this.pool.query<SnapshotRow>(
        `SELECT DISTINCT ON (stream_name) ${COLUMNS} FROM es_snapshots
          WHERE stream_name = ANY($1::text[]) AND state_version = $2
            AND ($3::timestamptz IS NULL OR last_event_at <= $3)
          ORDER BY stream_name, stream_revision DESC`,
        [streams, stateVersion, options.atOrBefore ?? null],
      );
      for (const row of rows) found.set(row.stream_name, snapshotOf(row));
      return found;
    } catch (error) {
      throw translatePgError(error);
    }
  }

  async write(snapshots: readonly Snapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    if (snapshots.length > MAX_SNAPSHOTS_PER_WRITE)
      throw new InvalidAppendError(
        `${snapshots.length} snapshots in one write, more than ${MAX_SNAPSHOTS_PER_WRITE}`,
      );
    try {
      await this.pool.query(WRITE, [
        snapshots.map((snapshot) => snapshot.stream),
        snapshots.map((snapshot) => snapshot.revision.toString()),
        snapshots.map((snapshot) => snapshot.stateVersion),
        snapshots.map((snapshot) => snapshot.lastEventAt),
        snapshots.map((snapshot) => snapshot.state),
        SNAPSHOTS_KEPT,
      ]);
    } catch (error) {
      throw translatePgError(error);
    }
  }

  async readAllOf(stream: string): Promise<Snapshot[]> {
    try {
      const { rows } = await this.pool.query<SnapshotRow>(
        `SELECT ${COLUMNS} FROM es_snapshots WHERE stream_name = $1
          ORDER BY stream_revision DESC, state_version`,
        [stream],
      );
      return rows.map(snapshotOf);
    } catch (error) {
      throw translatePgError(error);
    }
  }
}
