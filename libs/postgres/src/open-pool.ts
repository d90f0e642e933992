import { Pool, type PoolConfig } from 'pg';
import { connectionProblem } from './ensure-database';

/** How every process of this project connects to PostgreSQL. */
export function poolConfig(databaseUrl: string, max: number): PoolConfig {
  return {
    connectionString: databaseUrl,
    connectionTimeoutMillis: 5_000,
    // An idle-in-transaction session would hold back every catch-up reader of the event log.
    idle_in_transaction_session_timeout: 60_000,
    // Every statement here is short and many run each second. PostgreSQL's JIT compiles any
    // whose estimate looks large, at a cost many times the statement's (docs/event-store.md).
    options: '-c jit=off',
    max,
  };
}

/**
 * A connection pool to `databaseUrl` that has answered once, so a wrong URL fails at start-up
 * rather than at the first request. The database must exist (ensureDatabase makes it).
 */
export async function openPool(databaseUrl: string, max: number): Promise<Pool> {
  const pool = new Pool(poolConfig(databaseUrl, max));
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end();
    throw connectionProblem(databaseUrl, error);
  }
  return pool;
}
