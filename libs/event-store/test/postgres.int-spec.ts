import { Pool } from 'pg';
import { PostgresEventStore } from '@credits/event-store';
import { ownDatabase } from '../../../test/harness/own-database';
import { describeEventStoreConformance } from './conformance';

// A database of its own, apart from the run's shared one and every other test's rows: in CI,
// where the shared database ends up holding every fault run's ledgers and claims, this file
// took 59 to 64 s, against 8 s alone.
let database: Awaited<ReturnType<typeof ownDatabase>> | undefined;
afterAll(async () => {
  await database?.drop();
});

describeEventStoreConformance('PostgreSQL event store adapter', async () => {
  database = await ownDatabase('event_store_conformance');
  return PostgresEventStore.open({
    pool: new Pool({ connectionString: database.url, max: 4 }),
    ownsPool: true,
  });
});
