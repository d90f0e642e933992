import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  PostgresEventStore,
  type RecordedEvent,
} from '@credits/event-store';
import { events, freshCategory } from './conformance';

describe('PostgreSQL event store adapter, beyond the conformance suite', () => {
  const databaseUrl = process.env.DATABASE_URL ?? '';

  it('given several processes opening the store at once, then the schema is migrated once and every one opens', async () => {
    const pool = new Pool({ connectionString: databaseUrl, max: 8 });
    try {
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => PostgresEventStore.open({ pool })),
      );
      expect(stores).toHaveLength(4);
      const { rows } = await pool.query<{ name: string }>('SELECT name FROM es_migrations');
      expect(rows.map((row) => row.name).sort()).toEqual([
        '001-event-log',
        '002-set-based-append',
        '003-claims-and-snapshots',
        '004-claims-checked-by-key',
        '005-snapshot-state-as-text',
      ]);
    } finally {
      await pool.end();
    }
  });

  it('given an event id already in the stream at another revision, when appended again, then a typed duplicate error names the stream', async () => {
    const pool = new Pool({ connectionString: databaseUrl, max: 2 });
    const store = await PostgresEventStore.open({ pool, ownsPool: true });
    const stream = `${freshCategory()}-a`;
    try {
      const [first] = events(1);
      await store.appendToStream(stream, [first!], { expectedRevision: 'no_stream' });
      await store.appendToStream(stream, events(1), { expectedRevision: 0n });
      const error = await store
        .appendToStream(stream, [first!], { expectedRevision: 1n })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DuplicateEventIdError);
      expect(error).toMatchObject({ stream });
    } finally {
      await store.close();
    }
  });

  it('given a stream holding thousands of claims, when one more event claims a key, then the append reads only that key of es_claims', async () => {
    const pool = new Pool({ connectionString: databaseUrl, max: 2 });
    const store = await PostgresEventStore.open({ pool, ownsPool: true });
    const stream = `${freshCategory()}-a`;
    const held = events(3_000).map((event, index) => ({ ...event, claims: [`old␟${index}`] }));
    await store.appendToStream(stream, held, { expectedRevision: 'no_stream' });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const [one] = events(1);
      await store.appendWithin(client, [
        { stream, events: [{ ...one!, claims: ['new␟1'] }], expectedRevision: 2_999n },
      ]);
      // This transaction's own reads of es_claims, counted by the server.
      const { rows } = await client.query<{ fetched: string }>(
        "SELECT idx_tup_fetch AS fetched FROM pg_stat_xact_user_tables WHERE relname = 'es_claims'",
      );
      expect(Number(rows[0]?.fetched)).toBeLessThan(10);
      await client.query('ROLLBACK');
    } finally {
      client.release();
      await store.close();
    }
  });

  it('given a server that does not answer, then reads and appends fail with the typed unavailable error', async () => {
    const pool = new Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/nowhere',
      connectionTimeoutMillis: 1_000,
    });
    try {
      await expect(PostgresEventStore.open({ pool })).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
    } finally {
      await pool.end();
    }
  });

  it('given a subscriber whose connections the server kills, then it retries with backoff and delivers every event once', async () => {
    const pool = new Pool({ connectionString: databaseUrl, max: 2, application_name: 'killable' });
    const store = await PostgresEventStore.open({ pool, ownsPool: true });
    const category = freshCategory();
    const writer = await PostgresEventStore.open({
      pool: new Pool({ connectionString: databaseUrl, max: 1 }),
      ownsPool: true,
    });
    const delivered: RecordedEvent[] = [];
    const retries: string[] = [];
    const subscription = store.subscribeToAll({
      from: 'start',
      category,
      pollIntervalMs: 10,
      backoff: { initialMs: 20, maxMs: 200 },
      handle: async (page) => {
        delivered.push(...page);
      },
      onRetry: (error) => retries.push(error.constructor.name),
    });
    try {
      const before = events(3);
      await writer.appendToStream(`${category}-a`, before, { expectedRevision: 'no_stream' });
      while (delivered.length < 3) await sleep(10);
      // Kill the subscriber's sessions until one dies in the middle of a read.
      const admin = new Pool({ connectionString: databaseUrl, max: 1 });
      const killUntil = Date.now() + 10_000;
      while (retries.length === 0 && Date.now() < killUntil) {
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name = 'killable' AND pid <> pg_backend_pid()`,
        );
        await sleep(Math.random() * 5);
      }
      await admin.end();
      const after = events(3);
      await writer.appendToStream(`${category}-a`, after, { expectedRevision: 2n });
      const deadline = Date.now() + 10_000;
      while (delivered.length < 6 && Date.now() < deadline) await sleep(10);
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.every((name) => name === EventStoreUnavailableError.name)).toBe(true);
      expect(delivered.map((event) => event.id)).toEqual(
        [...before, ...after].map((event) => event.id),
      );
    } finally {
      await subscription.stop();
      await store.close();
      await writer.close();
    }
  });
});
