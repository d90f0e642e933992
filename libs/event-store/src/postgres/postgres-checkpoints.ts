import type { Pool, PoolClient } from 'pg';
import type { Checkpoint, CheckpointStore } from '../port/checkpoints';
import { CheckpointConflictError } from '../port/errors';
import type { Position } from '../port/positions';
import { translatePgError } from './driver-errors';

/**
 * Checkpoints in es_checkpoints. Built over a pool, or over a client inside a transaction so a
 * read model saves its rows and its checkpoint together.
 */
export class PostgresCheckpoints implements CheckpointStore {
  constructor(private readonly db: Pool | PoolClient) {}

  async load(name: string): Promise<Checkpoint | null> {
    try {
      const { rows } = await this.db.query<{ position: string; version: string; updated_at: Date }>(
        'SELECT position, version, updated_at FROM es_checkpoints WHERE name = $1',
        [name],
      );
      const row = rows[0];
      return row
        ? {
            position: row.position as Position,
            version: BigInt(row.version),
            savedAt: row.updated_at,
          }
        : null;
    } catch (error) {
      throw translatePgError(error);
    }
  }

  async save(name: string, position: Position, expectedVersion: bigint | null): Promise<bigint> {
    let rows: { version: string }[];
    try {
      ({ rows } =
        expectedVersion === null
          ? await this.db.query<{ version: string }>(
              `INSERT INTO es_checkpoints (name, position, version) VALUES ($1, $2, 0)
               ON CONFLICT (name) DO NOTHING RETURNING version`,
              [name, position],
            )
          : await this.db.query<{ version: string }>(
              `UPDATE es_checkpoints SET position = $2, version = version + 1, updated_at = now()
               WHERE name = $1 AND version = $3 RETURNING version`,
              [name, position, expectedVersion.toString()],
            ));
    } catch (error) {
      throw translatePgError(error);
    }
    const saved = rows[0];
    if (!saved) throw new CheckpointConflictError(name, expectedVersion);
    return BigInt(saved.version);
  }
}
