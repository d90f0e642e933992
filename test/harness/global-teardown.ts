import { Client } from 'pg';

// Global hooks are loaded without the path aliases: this file imports nothing from libs/.
export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__TEST_SERVICES__;
  if (!state) return;
  const admin = new Client({ connectionString: state.services.postgresServerUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${state.databaseName}" WITH (FORCE)`);
  await admin.end();
  if ('stop' in state.eventStoreDb) await state.eventStoreDb.stop();
  await state.services.stop();
}
