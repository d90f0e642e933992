import { Client } from 'pg';

/**
 * A database of the test's own on the run's PostgreSQL server, for what is one per deployment
 * (the catalog: a version published by one test would price every other test's events), dropped
 * by `drop`. The services migrate it when they start.
 */
export async function ownDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const server = process.env.POSTGRES_SERVER_URL ?? '';
  const databaseName = `credits_test_${process.env.TEST_RUN_ID ?? 'local'}_${name}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${databaseName}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${databaseName}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
