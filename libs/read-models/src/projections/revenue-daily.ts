import type { PoolClient } from 'pg';
import {
  deferredChange,
  REVENUE_COLUMNS,
  tallyRevenue,
  type RevenueColumn,
} from '@credits/domain/value';
import { type CreditEvent } from '@credits/domain';
import type { AccountChange } from '../account-folds';
import { utcDayNumberOf, type ReadModel } from './read-model';

/**
 * Revenue recognition per account, UTC day and currency (see `revenueOf`): what was sold,
 * recognised from usage, lapsed as breakage, refunded and voided that day, and the deferred
 * balance at the day's end. The closing balance is the running sum of the days' changes, so a
 * late event (one whose time is before days already written) moves the closing balance of every
 * later day with it, and each row reconciles with the one before it.
 */
export const revenueDailyReadModel: ReadModel = {
  name: 'revenue_daily',
  createSql: (version) => `
    CREATE TABLE IF NOT EXISTS rm_revenue_daily_v${version} (
      account_id text NOT NULL,
      currency text NOT NULL,
      day date NOT NULL,
      sold bigint NOT NULL,
      recognised bigint NOT NULL,
      breakage bigint NOT NULL,
      refunded bigint NOT NULL,
      voided bigint NOT NULL,
      closing_deferred bigint NOT NULL,
      PRIMARY KEY (account_id, currency, day)
    );
    CREATE INDEX IF NOT EXISTS rm_revenue_daily_v${version}_day
      ON rm_revenue_daily_v${version} (day)`,
  tablesOf: (version) => [`rm_revenue_daily_v${version}`],
  viewSql: (version) =>
    `CREATE OR REPLACE VIEW rm_revenue_daily AS SELECT * FROM rm_revenue_daily_v${version}`,
  async apply(
    client: PoolClient,
    version: number,
    changes: readonly AccountChange[],
  ): Promise<void> {
    const table = `rm_revenue_daily_v${version}`;
    const totals = tallyRevenue(
      changes,
      (change) => change.event,
      (change, currency) =>
        `${change.accountId}\u241f${currency}\u241f${utcDayNumberOf(change.event.at)}`,
    );
    if (totals.size === 0) return;
    const rows = [...totals.values()].map(({ first, currency, sums }) => ({
      accountId: first.accountId,
      currency,
      day: utcDayNumberOf(first.event.at),
      sums,
    }));
    await client.query(
      `INSERT INTO ${table} AS r
         (account_id, currency, day, sold, recognised, breakage, refunded, voided, closing_deferred)
       SELECT account_id, currency, date '1970-01-01' + day_number, sold, recognised, breakage,
              refunded, voided, 0
         FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[],
                     $7::bigint[], $8::bigint[])
           AS row (account_id, currency, day_number, sold, recognised, breakage, refunded, voided)
       ON CONFLICT (account_id, currency, day) DO UPDATE SET
         sold = r.sold + excluded.sold, recognised = r.recognised + excluded.recognised,
         breakage = r.breakage + excluded.breakage, refunded = r.refunded + excluded.refunded,
         voided = r.voided + excluded.voided`,
      [
        rows.map((row) => row.accountId),
        rows.map((row) => row.currency),
        rows.map((row) => row.day),
        ...REVENUE_COLUMNS.map((column) => rows.map((row) => row.sums[column])),
      ],
    );
    // The closing balance of each touched day and every day after it, per account and currency.
    const earliest = new Map<string, { accountId: string; currency: string; day: number }>();
    for (const row of rows) {
      const id = `${row.accountId}\u241f${row.currency}`;
      const seen = earliest.get(id);
      if (!seen || row.day < seen.day) earliest.set(id, row);
    }
    const from = [...earliest.values()];
    await client.query(
      `WITH affected AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) AS a (account_id, currency, from_day)
       ), running AS (
         SELECT r.account_id, r.currency, r.day,
                sum(r.sold + r.refunded - r.recognised - r.breakage - r.voided)
                  OVER (PARTITION BY r.account_id, r.currency ORDER BY r.day) AS closing
           FROM ${table} r JOIN affected a USING (account_id, currency)
       )
       UPDATE ${table} r SET closing_deferred = running.closing
         FROM running, affected
        WHERE r.account_id = running.account_id AND r.currency = running.currency
          AND r.day = running.day
          AND affected.account_id = r.account_id AND affected.currency = r.currency
          AND r.day >= date '1970-01-01' + affected.from_day
          AND r.closing_deferred IS DISTINCT FROM running.closing`,
      [
        from.map((row) => row.accountId),
        from.map((row) => row.currency),
        from.map((row) => row.day),
      ],
    );
  },
};

/** One row of revenue_daily: a day (days since 1970-01-01, UTC) of one account and currency. */
export interface RevenueDay extends Record<RevenueColumn, number> {
  readonly currency: string;
  readonly day: number;
  readonly closingDeferred: number;
}

/** The rows revenue_daily holds for one account's ledger, by currency then day: the check. */
export function revenueDaysOf(events: readonly CreditEvent[]): RevenueDay[] {
  const days = tallyRevenue(
    events,
    (event) => event,
    (event, currency) => `${currency}\u241f${utcDayNumberOf(event.at)}`,
  );
  const sorted = [...days.values()]
    .map(({ first, currency, sums }) => ({ currency, day: utcDayNumberOf(first.at), ...sums }))
    .sort((a, b) => (a.currency === b.currency ? a.day - b.day : a.currency < b.currency ? -1 : 1));
  const closing = new Map<string, number>();
  return sorted.map((entry) => {
    const closingDeferred = (closing.get(entry.currency) ?? 0) + deferredChange(entry);
    closing.set(entry.currency, closingDeferred);
    return { ...entry, closingDeferred };
  });
}
