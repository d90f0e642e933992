import { Client } from 'pg';
import { StartupError } from '@credits/runtime';

const CONNECT_TIMEOUT_MS = 5_000;

/** Where a PostgreSQL URL points, without its password, for messages. */
export function describeServer(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || '5432'}`;
}

export function databaseName(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
}

/** Turns a driver error at connect time into one line naming the problem and its fix. */
export function connectionProblem(databaseUrl: string, error: unknown): StartupError {
  const server = describeServer(databaseUrl);
  const code = (error as { code?: string }).code;
  const detail = error instanceof Error ? error.message : String(error);
  const fix =
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    /timeout/i.test(detail)
      ? `start PostgreSQL (on this machine: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or point DATABASE_URL at a running server`
      : code === '28P01' || code === '28000'
        ? 'check the user and password in DATABASE_URL'
        : 'check DATABASE_URL';
  return new StartupError(`PostgreSQL at ${server} cannot be used (${detail}): ${fix}`, {
    cause: error,
  });
}

/**
 * Creates the database DATABASE_URL names when the server lacks it, so a fresh machine needs no
 * manual step. Connects to the server's maintenance database to do so.
 */
export async function ensureDatabase(databaseUrl: string): Promise<'created' | 'exists'> {
  const name = databaseName(databaseUrl);
  const maintenanceUrl = new URL(databaseUrl);
  maintenanceUrl.pathname = '/postgres';
  const client = new Client({
    connectionString: maintenanceUrl.toString(),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  try {
    await client.connect();
  } catch (error) {
    throw connectionProblem(databaseUrl, error);
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return 'exists';
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    } catch (error) {
      // Another process created it between our look and our create: that is what we wanted.
      // Seen as duplicate_database, or, when both creates run at once (npm start starts the
      // projector and the quota service together), as a unique violation in pg_database.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return 'exists';
      throw error;
    }
    return 'created';
  } finally {
    await client.end();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
