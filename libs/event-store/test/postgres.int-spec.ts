import { Pool } from 'pg';
import { PostgresEventStore } from '@credits/event-store';
import { describeEventStoreConformance } from './conformance';

describeEventStoreConformance('PostgreSQL event store adapter', () =>
  PostgresEventStore.open({
    pool: new Pool({ connectionString: process.env.DATABASE_URL, max: 4 }),
    ownsPool: true,
  }),
);
