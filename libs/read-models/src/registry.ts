import type { Pool } from 'pg';
import type { ReadModel } from './projections/read-model';

// Any fixed number: processes creating read-model tables take turns.
const SCHEMA_LOCK = 0x726d5f73;

export function checkpointName(model: ReadModel, version: number): string {
  return `read-model:${model.name}@v${version}`;
}

export interface ReadModelVersions {
  readonly active: number;
  readonly building: number | null;
}

/**
 * Which version of each read model serves (its view points there) and which one a rebuild is
 * filling. Creating tables and views is idempotent and serialised by an advisory lock.
 */
export class ReadModelRegistry {
  constructor(private readonly pool: Pool) {}

  /** Makes sure the active version's tables and view exist; returns the versions. */
  async ensure(model: ReadModel): Promise<ReadModelVersions> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS rm_projections (
        name text PRIMARY KEY,
        active_version integer NOT NULL,
        building_version integer,
        switched_at timestamptz NOT NULL DEFAULT now()
      )`);
      await client.query(
        'INSERT INTO rm_projections (name, active_version) VALUES ($1, 1) ON CONFLICT DO NOTHING',
        [model.name],
      );
      const { rows } = await client.query<{
        active_version: number;
        building_version: number | null;
      }>('SELECT active_version, building_version FROM rm_projections WHERE name = $1', [
        model.name,
      ]);
      const versions = { active: rows[0]!.active_version, building: rows[0]!.building_version };
      await client.query(model.createSql(versions.active));
      await client.query(model.viewSql(versions.active));
      await client.query('COMMIT');
      return versions;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
