import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { PostgresEventStore, type EventData } from '@credits/event-store';
import { recordResults } from './results';
import { runBench } from './workspace';

/**
 * Appends to the PostgreSQL event store at batch 1 and batch 100 and, in the same run and the
 * same database, raw batched INSERTs into a copy of the events table with the same constraints.
 * One connection each, one call after the other: what one projector partition does.
 */
// The server DATABASE_URL points at; the bench makes (and drops) a database of its own there.
const SERVER_URL = Object.assign(
  new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/image_credits'),
  { pathname: '/postgres' },
).toString();
const STREAMS = 100;
const BATCH1_EVENTS = Number(process.env.BENCH_STORE_BATCH1_EVENTS ?? 3_000);
const BATCH100_EVENTS = Number(process.env.BENCH_STORE_BATCH100_EVENTS ?? 50_000);

function ledgerEvent(sequence: number): EventData {
  return {
    id: randomUUID(),
    type: 'GenerationCharged',
    data: {
      at: new Date(Date.UTC(2026, 10, 1) + sequence * 1_000).toISOString(),
      generationId: `gen-${sequence}`,
      editType: 'virtual_staging',
      resolution: '2K',
      priceVersion: '2026-01',
      charged: 1,
      chargedFrom: [{ grantId: 'allowance:pro:2026-11-01', credits: 1 }],
      held: 2,
      heldFrom: [{ grantId: 'allowance:pro:2026-11-01', credits: 2 }],
      source: {
        id: randomUUID(),
        producer: 'editor',
        kafka: { topic: 'editor-events', partition: 3, offset: String(sequence) },
      },
    },
  };
}

function batches(total: number, size: number): EventData[][] {
  return Array.from({ length: Math.ceil(total / size) }, (_, batch) =>
    Array.from({ length: size }, (_, index) => ledgerEvent(batch * size + index)),
  );
}

async function timed(label: string, events: number, work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = Math.round(events / seconds);
  console.log(`  ${label.padEnd(34)} ${perSecond.toLocaleString('en').padStart(9)} events/s`);
  return perSecond;
}

async function appendAll(
  store: PostgresEventStore,
  prefix: string,
  work: EventData[][],
): Promise<void> {
  const revisions = new Map<string, bigint>();
  for (const [index, events] of work.entries()) {
    const stream = `${prefix}-${index % STREAMS}`;
    const expected = revisions.get(stream);
    const result = await store.appendToStream(stream, events, {
      expectedRevision: expected ?? 'no_stream',
    });
    revisions.set(stream, result.nextExpectedRevision);
  }
}

async function insertAll(pool: Pool, prefix: string, work: EventData[][]): Promise<void> {
  const revisions = new Map<string, number>();
  for (const [index, events] of work.entries()) {
    const stream = `${prefix}-${index % STREAMS}`;
    const start = revisions.get(stream) ?? 0;
    revisions.set(stream, start + events.length);
    await pool.query(
      `INSERT INTO bench_raw_events (stream_name, stream_revision, event_id, event_type, data, metadata)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])`,
      [
        events.map(() => stream),
        events.map((_, offset) => start + offset),
        events.map((event) => event.id),
        events.map((event) => event.type),
        events.map((event) => JSON.stringify(event.data)),
        events.map(() => null),
      ],
    );
  }
}

async function main(): Promise<void> {
  const name = `credits_bench_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 1 });
  try {
    const store = await PostgresEventStore.open({ pool });
    // Same columns, defaults, identity, primary key and unique constraints as the event log.
    await pool.query('CREATE TABLE bench_raw_events (LIKE es_events INCLUDING ALL)');
    await appendAll(store, 'warmup', batches(2_000, 100));
    await insertAll(pool, 'warmup', batches(2_000, 100));

    console.log(`store append on PostgreSQL (${STREAMS} streams, one connection):`);
    const batch1 = await timed('append, batch 1', BATCH1_EVENTS, () =>
      appendAll(store, 'b1', batches(BATCH1_EVENTS, 1)),
    );
    const batch100 = await timed('append, batch 100', BATCH100_EVENTS, () =>
      appendAll(store, 'b100', batches(BATCH100_EVENTS, 100)),
    );
    const raw100 = await timed('raw INSERT, batch 100', BATCH100_EVENTS, () =>
      insertAll(pool, 'raw', batches(BATCH100_EVENTS, 100)),
    );
    const ratio = batch100 / raw100;
    const gain = batch100 / batch1;
    console.log(
      `  append ÷ raw INSERT at batch 100: ${ratio.toFixed(2)} (goal ≥ 0.5); ` +
        `batch 100 ÷ batch 1: ${gain.toFixed(1)}× (goal ≥ 10×)`,
    );
    recordResults({
      'store.append_batch1_events_per_s': batch1,
      'store.append_batch100_events_per_s': batch100,
      'store.raw_insert_batch100_events_per_s': raw100,
      'store.append_ratio_to_raw_insert': Number(ratio.toFixed(3)),
      'store.batch_gain': Number(gain.toFixed(2)),
    });
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

runBench('store', main);
