import { Pool } from 'pg';
import { connectionProblem } from './ensure-database';

/**
 * A connection pool to `databaseUrl` that has answered once, so a wrong URL fails at start-up
 * rather than at the first request. The database must exist (ensureDatabase makes it).
 */
export async function openPool(databaseUrl: string, max: number): Promise<Pool> {
  const pool = new Pool({
    connectionString: databaseUrl,
    connectionTimeoutMillis: 5_000,
    // An idle-in-transaction session would hold back every catch-up reader of the event log.
    idle_in_transaction_session_timeout: 60_000,
    max,
  });
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end();
    throw connectionProblem(databaseUrl, error);
  }
  return pool;
}
