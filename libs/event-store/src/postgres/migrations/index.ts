import type { Pool, PoolClient } from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';
import { eventLogMigration } from './001-event-log';
import { setBasedAppendMigration } from './002-set-based-append';
import { claimsAndSnapshotsMigration } from './003-claims-and-snapshots';
import { claimsCheckedByKeyMigration } from './004-claims-checked-by-key';
import { snapshotStateAsTextMigration } from './005-snapshot-state-as-text';

/** In order; a released migration is never edited, only followed by a new one. */
const MIGRATIONS = [
  eventLogMigration,
  setBasedAppendMigration,
  claimsAndSnapshotsMigration,
  claimsCheckedByKeyMigration,
  snapshotStateAsTextMigration,
];

// Any fixed number: every process migrating this database takes the same lock.
const MIGRATION_LOCK = 0x65735f6d;

const TRACKING_TABLE = `CREATE TABLE IF NOT EXISTS es_migrations (
  name text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** Applied migrations live in es_migrations; each is recorded in the transaction that runs it. */
function storage(client: PoolClient): UmzugStorage {
  return {
    executed: async () =>
      (
        await client.query<{ name: string }>('SELECT name FROM es_migrations ORDER BY name')
      ).rows.map((row) => row.name),
    logMigration: async () => undefined,
    unlogMigration: async ({ name }) => {
      await client.query('DELETE FROM es_migrations WHERE name = $1', [name]);
    },
  };
}

/** Brings the event store's schema up to date; safe when several processes start at once. */
export async function migrateEventStore(pool: Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(TRACKING_TABLE);
    const umzug = new Umzug({
      migrations: MIGRATIONS.map(({ name, sql }) => ({
        name,
        up: async () => {
          await client.query('BEGIN');
          try {
            await client.query(sql);
            await client.query('INSERT INTO es_migrations (name) VALUES ($1)', [name]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        },
      })),
      storage: storage(client),
      logger: undefined,
    });
    return (await umzug.up()).map((migration) => migration.name);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
