import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  chooseBackend,
  startContainers,
  startEventStoreDb,
  startLocal,
  type EventStoreDbTarget,
  type TestServices,
} from './backends';

declare global {
  var __TEST_SERVICES__:
    { services: TestServices; databaseName: string; eventStoreDb: EventStoreDbTarget } | undefined;
}

/**
 * Starts (or finds) the real services once for the integration project and hands their
 * addresses to every test worker through the environment. Each run gets its own database.
 */
export default async function globalSetup(): Promise<void> {
  const backend = await chooseBackend();
  const services = backend.name === 'containers' ? await startContainers() : await startLocal();
  const eventStoreDb = await startEventStoreDb(backend);

  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const databaseName = `credits_test_${runId}`;
  const admin = new Client({ connectionString: services.postgresServerUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  const databaseUrl = new URL(services.postgresServerUrl);
  databaseUrl.pathname = `/${databaseName}`;

  process.env.TEST_RUN_ID = runId;
  process.env.KAFKA_BROKERS = services.kafkaBrokers;
  process.env.DATABASE_URL = databaseUrl.toString();
  process.env.POSTGRES_SERVER_URL = services.postgresServerUrl;
  if ('connectionString' in eventStoreDb)
    process.env.EVENTSTORE_CONNECTION_STRING = eventStoreDb.connectionString;
  else process.env.EVENTSTORE_SKIPPED = eventStoreDb.skipped;
  globalThis.__TEST_SERVICES__ = { services, databaseName, eventStoreDb };

  console.log(
    `\ntest harness: ${backend.name} back end (${backend.reason})\n` +
      `test harness: ${services.description}, database ${databaseName}\n` +
      ('connectionString' in eventStoreDb
        ? `test harness: EventStoreDB at ${eventStoreDb.connectionString}\n`
        : `test harness: EventStoreDB SKIPPED: its conformance tests do not run (${eventStoreDb.skipped})\n`),
  );
}
