import { Client } from 'pg';
import { StartupError } from '@credits/runtime';
import { ensureDatabase, quoteIdentifier } from './ensure-database';

describe('ensureDatabase on the real server', () => {
  const serverUrl = process.env.POSTGRES_SERVER_URL ?? '';
  const name = `credits_ensure_${process.env.TEST_RUN_ID ?? 'adhoc'}`;
  const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();

  afterAll(async () => {
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
    await admin.end();
  });

  it('given a database the server lacks, when ensured twice, then it is created once and then found', async () => {
    await expect(ensureDatabase(databaseUrl)).resolves.toBe('created');
    await expect(ensureDatabase(databaseUrl)).resolves.toBe('exists');
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    await client.end();
    expect(rows[0]?.db).toBe(name);
  });

  it('given a database the server lacks, when several processes ensure it at once, then each finds it and one created it', async () => {
    const racedName = `${name}_raced`;
    const racedUrl = Object.assign(new URL(serverUrl), { pathname: `/${racedName}` }).toString();
    try {
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => ensureDatabase(racedUrl)));
      expect(outcomes.filter((outcome) => outcome === 'created')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'exists')).toHaveLength(7);
    } finally {
      const admin = new Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(racedName)}`);
      await admin.end();
    }
  });

  it('given a server that does not answer, when ensured, then one line names the server and how to start it', async () => {
    const refusedUrl = 'postgres://postgres@127.0.0.1:1/nowhere';
    const failure = await ensureDatabase(refusedUrl).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as Error).message).toMatch(/^PostgreSQL at 127\.0\.0\.1:1 cannot be used/);
    expect((failure as Error).message).toContain('DATABASE_URL');
    expect((failure as Error).message).not.toContain('\n');
  });
});
