import type { Command } from 'commander';
import type { Pool } from 'pg';
import {
  availableCredits,
  evolve,
  fold,
  heldCredits,
  initialAccountState,
  type CreditEvent,
} from '@credits/domain';
import { creditsMoved, REVENUE_COLUMNS } from '@credits/domain/value';
import { millisOf } from '@credits/domain/instants';
import { comparePositions, PostgresCheckpoints, type Position } from '@credits/event-store';
import {
  balancesReadModel,
  checkpointName,
  ledgerLinesReadModel,
  ReadModelRegistry,
  revenueDailyReadModel,
  revenueDaysOf,
  usageDailyReadModel,
  type RevenueDay,
  type ReadModel,
  type StoredGrant,
} from '@credits/read-models';
import { withContext } from '../context';
import { ExitCode } from '../exit-codes';
import { allLedgers, type LedgerEntry } from '../ledger/history';
import { checkSnapshots } from '../ledger/snapshot-check';
import { creditRulesOf } from '@credits/config';
import { render, type Format, type Row } from '../output';
import { formatOption } from './options';

type Difference = {
  readModel: string;
  accountId: string;
  what: string;
  ledger: string;
  readModelSays: string;
};

async function checkpointOf(pool: Pool, model: ReadModel): Promise<Position | null> {
  const { active } = await new ReadModelRegistry(pool).ensure(model);
  return (
    (await new PostgresCheckpoints(pool).load(checkpointName(model, active)))?.position ?? null
  );
}

function upTo(ledger: readonly LedgerEntry[], checkpoint: Position | null): CreditEvent[] {
  if (checkpoint === null) return [];
  return ledger
    .filter(({ recorded }) => comparePositions(recorded.position, checkpoint) <= 0)
    .map(({ event }) => event);
}

function compare(
  differences: Difference[],
  readModel: string,
  accountId: string,
  what: string,
  ledger: unknown,
  stored: unknown,
): void {
  const [a, b] = [JSON.stringify(ledger ?? null), JSON.stringify(stored ?? null)];
  if (a !== b) differences.push({ readModel, accountId, what, ledger: a, readModelSays: b });
}

async function balances(
  pool: Pool,
  ledgers: Map<string, LedgerEntry[]>,
  differences: Difference[],
): Promise<void> {
  const checkpoint = await checkpointOf(pool, balancesReadModel);
  const { rows } = await pool.query<{
    account_id: string;
    plan: string | null;
    held: number;
    grants: StoredGrant[];
  }>('SELECT account_id, plan, held::float8 AS held, grants FROM rm_balances');
  const stored = new Map(rows.map((row) => [row.account_id, row]));
  for (const [accountId, ledger] of ledgers) {
    const events = upTo(ledger, checkpoint);
    if (events.length === 0) continue;
    const state = fold(events, initialAccountState);
    const row = stored.get(accountId);
    stored.delete(accountId);
    compare(differences, 'balances', accountId, 'held', heldCredits(state), row?.held);
    compare(differences, 'balances', accountId, 'plan', state.plan, row?.plan);
    compare(
      differences,
      'balances',
      accountId,
      'grants (id, remaining, pinned)',
      state.grants.map((g) => [g.grantId, g.remaining, g.pinned]),
      row?.grants.map((g) => [g.grantId, g.remaining, g.pinned]),
    );
  }
  for (const accountId of stored.keys())
    compare(differences, 'balances', accountId, 'row', null, 'present');
}

async function ledgerLines(
  pool: Pool,
  ledgers: Map<string, LedgerEntry[]>,
  differences: Difference[],
): Promise<void> {
  const checkpoint = await checkpointOf(pool, ledgerLinesReadModel);
  const { rows } = await pool.query<{
    account_id: string;
    lines: [number, string, number, number][];
  }>(
    `SELECT account_id, json_agg(json_build_array(revision, type, credits, available) ORDER BY revision) AS lines
       FROM rm_ledger_lines GROUP BY account_id`,
  );
  const stored = new Map(rows.map((row) => [row.account_id, row.lines]));
  for (const [accountId, ledger] of ledgers) {
    const events = upTo(ledger, checkpoint);
    if (events.length === 0) continue;
    let state = initialAccountState;
    const expected = events.map((event, revision) => {
      state = evolve(state, event);
      return [
        revision,
        event.type,
        creditsMoved(event),
        availableCredits(state, millisOf(event.at)),
      ];
    });
    compare(
      differences,
      'ledger_lines',
      accountId,
      'lines (revision, type, credits, available)',
      expected,
      stored.get(accountId),
    );
    stored.delete(accountId);
  }
  for (const accountId of stored.keys())
    compare(differences, 'ledger_lines', accountId, 'lines', null, 'present');
}

async function usage(
  pool: Pool,
  ledgers: Map<string, LedgerEntry[]>,
  differences: Difference[],
): Promise<void> {
  const checkpoint = await checkpointOf(pool, usageDailyReadModel);
  const { rows } = await pool.query<Record<string, number> & { account_id: string }>(
    `SELECT account_id, sum(generations)::int AS generations, sum(kept)::int AS kept, sum(discarded)::int AS discarded,
            sum(lapsed)::int AS lapsed, sum(refused)::int AS refused, sum(credits)::float8 AS credits
       FROM rm_usage_daily GROUP BY account_id`,
  );
  const stored = new Map(rows.map((row) => [row.account_id, row]));
  for (const [accountId, ledger] of ledgers) {
    const events = upTo(ledger, checkpoint);
    const count = (type: CreditEvent['type']) =>
      events.filter((event) => event.type === type).length;
    const expected = {
      generations: count('GenerationCharged'),
      kept: count('EditKept'),
      discarded: count('EditDiscarded'),
      lapsed: count('HoldLapsed'),
      refused: count('GenerationRefused'),
      credits: fold(events, initialAccountState).totals.charged,
    };
    if (Object.values(expected).every((value) => value === 0) && !stored.has(accountId)) continue;
    const row = stored.get(accountId);
    stored.delete(accountId);
    compare(
      differences,
      'usage_daily',
      accountId,
      'totals',
      expected,
      row && {
        generations: row.generations,
        kept: row.kept,
        discarded: row.discarded,
        lapsed: row.lapsed,
        refused: row.refused,
        credits: row.credits,
      },
    );
  }
  for (const accountId of stored.keys())
    compare(differences, 'usage_daily', accountId, 'totals', null, 'present');
}

/**
 * Every revenue_daily row against the ledger's own (each day's amounts and closing deferred
 * balance), and each account's final deferred balance against what its grants still hold.
 */
async function revenue(
  pool: Pool,
  ledgers: Map<string, LedgerEntry[]>,
  differences: Difference[],
): Promise<void> {
  const checkpoint = await checkpointOf(pool, revenueDailyReadModel);
  const { rows } = await pool.query<{ account_id: string; days: RevenueDay[] }>(
    `SELECT account_id, json_agg(json_build_object(
              'currency', currency, 'day', day - date '1970-01-01', 'sold', sold,
              'recognised', recognised, 'breakage', breakage, 'refunded', refunded,
              'voided', voided, 'closingDeferred', closing_deferred)
            ORDER BY currency, day) AS days
       FROM rm_revenue_daily GROUP BY account_id`,
  );
  const stored = new Map(rows.map((row) => [row.account_id, row.days]));
  const fields = (day: RevenueDay) => [
    day.currency,
    day.day,
    ...REVENUE_COLUMNS.map((column) => day[column]),
    day.closingDeferred,
  ];
  for (const [accountId, ledger] of ledgers) {
    const events = upTo(ledger, checkpoint);
    const expected = revenueDaysOf(events);
    const state = fold(events, initialAccountState);
    const closing = new Map<string, number>();
    for (const day of expected) closing.set(day.currency, day.closingDeferred);
    for (const [currency, deferred] of closing) {
      const held = state.grants
        .filter((grant) => grant.price?.currency === currency)
        .reduce((sum, grant) => sum + grant.deferred, 0);
      compare(
        differences,
        'revenue_daily',
        accountId,
        `${currency} deferred of the grants`,
        held,
        deferred,
      );
    }
    if (expected.length === 0 && !stored.has(accountId)) continue;
    compare(
      differences,
      'revenue_daily',
      accountId,
      `days (currency, day, ${REVENUE_COLUMNS.join(', ')}, closing deferred)`,
      expected.map(fields),
      stored.get(accountId)?.map(fields),
    );
    stored.delete(accountId);
  }
  for (const accountId of stored.keys())
    compare(differences, 'revenue_daily', accountId, 'days', null, 'present');
}

export function reconcileCommand(program: Command): void {
  program
    .command('reconcile')
    .description(
      'fold every stream and compare with every read model and every snapshot; exits 3 on any difference',
    )
    .addOption(formatOption())
    .action(async (options: { format: Format }) => {
      const differences: Difference[] = [];
      await withContext(async (context) => {
        const ledgers = await allLedgers(await context.eventStore());
        await balances(context.database, ledgers, differences);
        await ledgerLines(context.database, ledgers, differences);
        await usage(context.database, ledgers, differences);
        await revenue(context.database, ledgers, differences);
        const snapshots = await checkSnapshots(
          await context.eventStore(),
          creditRulesOf(context.config),
          ledgers,
        );
        for (const { accountId, what, ledger, snapshotSays } of snapshots.differences)
          differences.push({
            readModel: 'snapshots',
            accountId,
            what,
            ledger,
            readModelSays: snapshotSays,
          });
        if (differences.length === 0) {
          console.log(
            options.format === 'json'
              ? '[]'
              : `reconciled: ${ledgers.size} accounts, every read model agrees with the ledger, and ${snapshots.checked} snapshots with a fold from the start (${snapshots.otherVersions} of other state versions, never read, not compared)`,
          );
          return;
        }
        console.log(
          render(
            differences as unknown as Row[],
            ['readModel', 'accountId', 'what', 'ledger', 'readModelSays'],
            options.format,
          ),
        );
        process.exitCode = ExitCode.differences;
      });
    });
}
