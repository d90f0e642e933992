import { parentPort } from 'node:worker_threads';
import { loadConfig } from '@credits/config';
import { openEventStore } from '@credits/event-store';
import { openPool } from '@credits/postgres';
import { LiveReadModels } from '@credits/read-models';
import { createLogger, describeFailure } from '@credits/runtime';
import type { FromReadModels, ToReadModels } from './read-models.messages';

/**
 * The quota service's read models, on a thread of their own: folding pages of the ledger and
 * collecting the garbage that leaves would otherwise pause the thread that answers requests.
 */
const STATUS_EVERY_MS = 1_000;
// The HTTP thread keeps its own pool: a burst of read-model writes never delays a balance read.
const POOL_SIZE = 5;

const port = (() => {
  if (!parentPort) throw new Error('read-models.worker runs as a thread of the quota service');
  return parentPort;
})();
const send = (message: FromReadModels) => port.postMessage(message);

async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('quota-service', config.logLevel).child({ thread: 'read-models' });
  // The HTTP thread's PostgresModule made sure the database exists before this thread started.
  const pool = await openPool(config.database.url, POOL_SIZE);
  const store = await openEventStore(config, pool).catch(async (error: unknown) => {
    await pool.end();
    throw error;
  });
  const readModels = new LiveReadModels(store, pool, {
    cachedAccounts: config.quota.readModelCachedAccounts,
    logger,
  });
  await readModels.start();
  let maintaining: Promise<void> | null = null;
  const timer = setInterval(() => {
    send({ kind: 'statuses', statuses: readModels.statuses });
    maintaining ??= readModels
      .maintain()
      .catch((error: Error) =>
        logger.warn({ error: error.message }, 'could not look after the read models'),
      )
      .finally(() => (maintaining = null));
  }, STATUS_EVERY_MS);
  port.once('message', (_stop: ToReadModels) => {
    clearInterval(timer);
    void (async () => {
      await maintaining;
      await readModels.stop();
      await store.close();
      await pool.end();
      port.close();
    })();
  });
  send({ kind: 'started', statuses: readModels.statuses });
}

run().catch((error: unknown) => send({ kind: 'failed', problems: describeFailure(error) }));
