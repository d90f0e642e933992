import { Pool } from 'pg';
import { encodeLedgerEvent } from '@credits/contract';
import { accountDecider, STANDARD_RULES, type CreditEvent } from '@credits/domain';
import { accountStream } from '@credits/domain/streams';
import { PostgresEventStore, type StreamAppend } from '@credits/event-store';
import { createLogger } from '@credits/runtime';
import {
  LiveReadModels,
  READ_MODELS,
  ReadModelProjector,
  ReadModelRegistry,
  type ReadModelVersion,
} from '../src';
import { ledgerOf } from '../../credit-domain/test/ledger-of';
import { longHistory } from '../../credit-domain/test/long-history';
import { eventually } from '../../../test/harness/eventually';
import { ownDatabase } from '../../../test/harness/own-database';

const decider = accountDecider({
  ...STANDARD_RULES,
  planPolicies: { team: 'reserve_generate_only' },
});

/** Four accounts' long histories, every event type among them. */
const ledgers: [string, CreditEvent[]][] = [1, 2, 3, 4].map((seed) => [
  `acct-${seed}`,
  ledgerOf(
    decider,
    longHistory({
      seed,
      commands: 300,
      generationIds: 100,
      redeliveredSoon: 0.1,
      redeliveredLate: 0.05,
      outOfOrder: 0.1,
      creditsPerGrant: seed * 5,
      maxGapMs: 30 * 60 * 1000,
    }),
  ),
]);

/** Where each account's ledger has been appended up to. */
const appended = new Map<string, number>();

/** Appends each account's ledger up to a share of it, a few events per stream at a time, so the
 * accounts' events interleave in the log as they do in production. */
async function appendUpTo(store: PostgresEventStore, share: number): Promise<void> {
  for (;;) {
    const appends: StreamAppend[] = [];
    for (const [accountId, ledger] of ledgers) {
      const from = appended.get(accountId) ?? 0;
      const to = Math.min(from + 7, Math.floor(ledger.length * share));
      if (to <= from) continue;
      appends.push({
        stream: accountStream(accountId),
        events: ledger
          .slice(from, to)
          .map((event, index) => encodeLedgerEvent(accountId, BigInt(from + index), event)),
        expectedRevision: from === 0 ? 'no_stream' : BigInt(from - 1),
      });
      appended.set(accountId, to);
    }
    if (appends.length === 0) return;
    await store.appendToStreams(appends);
  }
}

const versionsAt = (version: number): ReadModelVersion[] =>
  READ_MODELS.map((model) => ({ model, version }));

describe('the read models served by one shared subscription', () => {
  let database: Awaited<ReturnType<typeof ownDatabase>>;
  let pool: Pool;
  let store: PostgresEventStore;

  async function catchUp(versions: readonly ReadModelVersion[]): Promise<void> {
    const projector = new ReadModelProjector(store, pool, versions, { cachedAccounts: 2 });
    projector.start();
    await projector.caughtUpOnce();
    await projector.stop();
  }

  /** Every row of every table of one version of each model, in a comparable order. */
  async function rowsOf(versions: readonly ReadModelVersion[]): Promise<Record<string, string[]>> {
    const tables: Record<string, string[]> = {};
    for (const { model, version } of versions)
      for (const table of model.tablesOf(version)) {
        const { rows } = await pool.query<{ row: string }>(
          `SELECT to_jsonb(t)::text AS row FROM ${table} t`,
        );
        tables[table.replace(/_v\d+$/, '')] = rows.map(({ row }) => row).sort();
      }
    return tables;
  }

  beforeAll(async () => {
    database = await ownDatabase('shared_subscription');
    pool = new Pool({ connectionString: database.url, max: 4 });
    store = await PostgresEventStore.open({ pool });
    const registry = new ReadModelRegistry(pool);
    for (const model of READ_MODELS) {
      await registry.ensure(model);
      for (const version of [2, 3, 4]) await pool.query(model.createSql(version));
    }
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  it('given models at different checkpoints, when one subscription serves them all, then each holds exactly what it would alone', async () => {
    await appendUpTo(store, 0.4);
    // The models that count go ahead (counting an event twice would show); the others' first
    // page then ends past where these stand.
    await catchUp(versionsAt(2).slice(2));
    await appendUpTo(store, 0.7);
    await catchUp(versionsAt(2));
    for (const model of READ_MODELS) await catchUp([{ model, version: 3 }]);

    const shared = await rowsOf(versionsAt(2));
    const alone = await rowsOf(versionsAt(3));
    expect(Object.keys(shared)).toHaveLength(READ_MODELS.length);
    expect(shared).toEqual(alone);
  });

  it('given the live read models, when they catch up, follow a switch and take more events, then one subscription keeps every active version exact', async () => {
    const live = new LiveReadModels(store, pool, {
      cachedAccounts: 2,
      logger: createLogger('test', 'silent'),
    });
    await live.start();
    try {
      expect(live.subscriptions).toBe(READ_MODELS.length);
      const merged = () =>
        eventually(
          async () => (await live.maintain(), live.subscriptions),
          (subscriptions) => subscriptions === 1,
        );
      expect(await merged()).toBe(1);
      // What the models had done carries over to the merged subscription: their lag stays known.
      for (const status of live.statuses) {
        expect(status.eventsHandled).toBeGreaterThan(0);
        expect(status.lastEventRecordedAt).not.toBeNull();
      }

      // A rebuild switches ledger_lines to version 2, which is behind the others now.
      await appendUpTo(store, 1);
      await pool.query(`UPDATE rm_projections SET active_version = 2 WHERE name = 'ledger_lines'`);
      await live.maintain();
      expect(live.statuses.find(({ name }) => name === 'ledger_lines')?.version).toBe(2);
      expect(await merged()).toBe(1);
    } finally {
      await live.stop();
    }
    const active = READ_MODELS.map((model) => ({
      model,
      version: model.name === 'ledger_lines' ? 2 : 1,
    }));
    for (const model of READ_MODELS) await catchUp([{ model, version: 4 }]);
    expect(await rowsOf(active)).toEqual(await rowsOf(versionsAt(4)));
  });
});
