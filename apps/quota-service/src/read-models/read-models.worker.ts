import { parentPort } from 'node:worker_threads';
import { loadConfig } from '@credits/config';
import { openEventStore } from '@credits/event-store';
import { LeaderLock, openPool } from '@credits/postgres';
import {
  LiveReadModels,
  READ_MODELS,
  ReadModelRegistry,
  readModelStandings,
  type ReadModelStatus,
} from '@credits/read-models';
import { createLogger, describeFailure } from '@credits/runtime';
import type { FromReadModels, ToReadModels } from './read-models.messages';

/**
 * The quota service's read models, on a thread of their own: folding pages of the ledger and
 * collecting the garbage that leaves would otherwise pause the thread that answers requests.
 * One replica of the deployment keeps them (the leader of `read-models`); the others report how
 * far behind the leader's checkpoints are, so every replica's lag metric shows a leader's gap.
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

  let kept: LiveReadModels | null = null;
  let looking: Promise<void> | null = null;
  const leadership = LeaderLock.forWork(config, 'read-models', {
    leading: async () => {
      const readModels = new LiveReadModels(store, pool, {
        cachedAccounts: config.quota.readModelCachedAccounts,
        logger,
      });
      await readModels.start();
      kept = readModels;
      logger.info('this replica keeps the read models (it holds their leader lock)');
    },
    following: async () => {
      const readModels = kept;
      kept = null;
      await looking;
      await readModels?.stop();
      if (readModels) logger.warn('this replica no longer keeps the read models');
    },
    problem: (error) =>
      logger.warn({ error: error.message }, "could not take or confirm the read models' lock"),
  });

  /** Where the leader's checkpoints stand, as this replica reports them while standing by. */
  const standingBy = async (): Promise<ReadModelStatus[]> =>
    (await readModelStandings(store, pool, 1))
      .filter(({ state }) => state === 'serving')
      .map(({ readModel, version, eventsBehind, savedAt }) => ({
        name: readModel,
        version,
        caughtUp: eventsBehind === 0,
        eventsHandled: 0,
        lastEventRecordedAt: savedAt,
      }));

  /** Keeps the read models if leading; otherwise reads where the leader's checkpoints stand. */
  const lookAfter = async (): Promise<void> => {
    const readModels = kept;
    if (!readModels) {
      send({ kind: 'statuses', leading: false, statuses: await standingBy() });
      return;
    }
    await readModels.maintain();
    send({ kind: 'statuses', leading: true, statuses: readModels.statuses });
  };

  // The views exist before the service answers, whichever replica comes to keep them.
  const registry = new ReadModelRegistry(pool);
  for (const model of READ_MODELS) await registry.ensure(model);
  leadership.start();
  const timer = setInterval(() => {
    looking ??= lookAfter()
      .catch((error: Error) =>
        logger.warn({ error: error.message }, 'could not look after the read models'),
      )
      .finally(() => (looking = null));
  }, STATUS_EVERY_MS);
  port.once('message', (_stop: ToReadModels) => {
    clearInterval(timer);
    void (async () => {
      await looking;
      await leadership.stop();
      await store.close();
      await pool.end();
      port.close();
    })();
  });
  send({ kind: 'started', leading: false, statuses: await standingBy() });
}

run().catch((error: unknown) => send({ kind: 'failed', problems: describeFailure(error) }));
