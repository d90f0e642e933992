import type { Pool } from 'pg';
import { DAY_MS, MAX_REPORT_DAYS, wholeDaysProblem } from './whole-days';
import {
  deferredChange,
  noRevenue,
  REVENUE_COLUMNS,
  type RevenueColumn,
} from '@credits/domain/value';
import { millisOf } from '@credits/domain/instants';

export const REVENUE_BUCKETS = ['day', 'month', 'account'] as const;
export type RevenueBucket = (typeof REVENUE_BUCKETS)[number];

/** The longest period one report covers: ten years of days. */
export const MAX_REVENUE_DAYS = MAX_REPORT_DAYS;
/** Rows per page of a report by account; the next page starts after the last account. */
export const REVENUE_ACCOUNTS_PER_PAGE = { default: 1_000, max: 10_000 } as const;

export interface RevenueQuery {
  /** The first UTC day, as an instant at its midnight (RFC 3339). */
  readonly from: string;
  /** The UTC day after the last, as an instant at its midnight (exclusive). */
  readonly to: string;
  readonly by: RevenueBucket;
  readonly accountId?: string;
  /** By account: the account after which this page starts. */
  readonly after?: string;
  readonly limit?: number;
}

/** A report row's fields, in the order tables and CSV show them. */
export const REVENUE_REPORT_COLUMNS = [
  'currency',
  'period',
  'openingDeferred',
  ...REVENUE_COLUMNS,
  'closingDeferred',
] as const;

export interface RevenueRow extends Record<RevenueColumn, number> {
  readonly currency: string;
  /** The day (YYYY-MM-DD), month (YYYY-MM) or account id. */
  readonly period: string;
  readonly openingDeferred: number;
  readonly closingDeferred: number;
}

export interface RevenueReport {
  readonly from: string;
  readonly to: string;
  readonly by: RevenueBucket;
  readonly accountId: string | null;
  /** Per currency, the whole period (of every account, or of the page's when by account). */
  readonly totals: RevenueRow[];
  readonly rows: RevenueRow[];
  /** By account: the `after` of the next page, or null on the last. */
  readonly next: string | null;
  /**
   * Every row reconciles (opening + sold − recognised − breakage + refunded − voided = closing),
   * and the period's closing balance is what the accounts' stored closing balances add up to.
   * Anything else is listed: the read model disagrees with itself.
   */
  readonly discrepancies: string[];
}

/** Why a period cannot be reported, or null: whole UTC days, in order, at most MAX_REVENUE_DAYS. */
export function revenuePeriodProblem(from: string, to: string): string | null {
  return wholeDaysProblem('revenue', from, to);
}

type Sums = Record<RevenueColumn, number>;

/**
 * Revenue recognition over a period from revenue_daily, per currency and day, month or account,
 * with the deferred balance at each bucket's start and end.
 */
export async function revenueReport(pool: Pool, query: RevenueQuery): Promise<RevenueReport> {
  const fromDay = millisOf(query.from) / DAY_MS;
  const toDay = millisOf(query.to) / DAY_MS;
  const accountId = query.accountId ?? null;
  const limit = Math.min(
    query.limit ?? REVENUE_ACCOUNTS_PER_PAGE.default,
    REVENUE_ACCOUNTS_PER_PAGE.max,
  );
  const byAccount = query.by === 'account';
  // By account, one page of accounts: those with a balance or a movement in the period.
  const pageAccounts = byAccount
    ? (
        await pool.query<{ account_id: string }>(
          `SELECT DISTINCT account_id FROM rm_revenue_daily
            WHERE day < date '1970-01-01' + $2::int AND ($3::text IS NULL OR account_id = $3)
              AND ($4::text IS NULL OR account_id > $4)
              AND (day >= date '1970-01-01' + $1::int OR closing_deferred <> 0)
            ORDER BY account_id LIMIT $5`,
          [fromDay, toDay, accountId, query.after ?? null, limit + 1],
        )
      ).rows.map((row) => row.account_id)
    : null;
  const page = pageAccounts?.slice(0, limit) ?? null;
  const next = pageAccounts && pageAccounts.length > limit ? page![page!.length - 1]! : null;

  const balancesAt = async (day: number) =>
    (
      await pool.query<{ account_id: string; currency: string; deferred: string }>(
        `SELECT DISTINCT ON (account_id, currency) account_id, currency, closing_deferred AS deferred
           FROM rm_revenue_daily
          WHERE day < date '1970-01-01' + $1::int AND ($2::text IS NULL OR account_id = $2)
            AND ($3::text[] IS NULL OR account_id = ANY($3))
          ORDER BY account_id, currency, day DESC`,
        [day, accountId, page],
      )
    ).rows.map((row) => ({ ...row, deferred: Number(row.deferred) }));
  const opening = await balancesAt(fromDay);
  const closing = await balancesAt(toDay);

  const bucket =
    query.by === 'day'
      ? `to_char(day, 'YYYY-MM-DD')`
      : query.by === 'month'
        ? `to_char(day, 'YYYY-MM')`
        : 'account_id';
  const { rows: moved } = await pool.query<
    Record<RevenueColumn, string> & { currency: string; period: string }
  >(
    `SELECT currency, ${bucket} AS period, ${REVENUE_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ')}
       FROM rm_revenue_daily
      WHERE day >= date '1970-01-01' + $1::int AND day < date '1970-01-01' + $2::int
        AND ($3::text IS NULL OR account_id = $3) AND ($4::text[] IS NULL OR account_id = ANY($4))
      GROUP BY currency, period ORDER BY currency, period`,
    [fromDay, toDay, accountId, page],
  );

  const openingOf = new Map<string, number>();
  for (const balance of opening) {
    const key = byAccount ? `${balance.currency}\u241f${balance.account_id}` : balance.currency;
    openingOf.set(key, (openingOf.get(key) ?? 0) + balance.deferred);
  }
  const rows: RevenueRow[] = [];
  const running = new Map<string, number>();
  const seen = new Set<string>();
  for (const row of moved) {
    const sums = Object.fromEntries(REVENUE_COLUMNS.map((c) => [c, Number(row[c])])) as Sums;
    const key = byAccount ? `${row.currency}\u241f${row.period}` : row.currency;
    seen.add(key);
    const openingDeferred = running.get(key) ?? openingOf.get(key) ?? 0;
    const closingDeferred = openingDeferred + deferredChange(sums);
    running.set(key, closingDeferred);
    rows.push({
      currency: row.currency,
      period: row.period,
      openingDeferred,
      ...sums,
      closingDeferred,
    });
  }
  // By account, those holding a balance with nothing moved in the period are rows too.
  if (byAccount)
    for (const [key, openingDeferred] of openingOf) {
      if (seen.has(key) || openingDeferred === 0) continue;
      const [currency, period] = key.split('\u241f') as [string, string];
      rows.push({
        currency,
        period,
        openingDeferred,
        ...noRevenue(),
        closingDeferred: openingDeferred,
      });
    }
  rows.sort((a, b) =>
    a.currency === b.currency ? (a.period < b.period ? -1 : 1) : a.currency < b.currency ? -1 : 1,
  );

  const totals = totalsOf(rows, opening);
  const discrepancies: string[] = [];
  for (const total of totals) {
    const stored = closing
      .filter((balance) => balance.currency === total.currency)
      .reduce((sum, balance) => sum + balance.deferred, 0);
    if (stored !== total.closingDeferred)
      discrepancies.push(
        `${total.currency}: the period's movements close at ${total.closingDeferred}, the stored closing balances add up to ${stored}`,
      );
  }
  return {
    from: query.from,
    to: query.to,
    by: query.by,
    accountId,
    totals,
    rows,
    next,
    discrepancies,
  };
}

/** Per currency: the period's opening, movements and closing, over every row. */
function totalsOf(
  rows: readonly RevenueRow[],
  opening: readonly { currency: string; deferred: number }[],
): RevenueRow[] {
  const totals = new Map<string, RevenueRow & Sums>();
  for (const balance of opening) {
    const total = totals.get(balance.currency) ?? emptyTotal(balance.currency);
    totals.set(balance.currency, {
      ...total,
      openingDeferred: total.openingDeferred + balance.deferred,
    });
  }
  for (const row of rows) {
    const total = totals.get(row.currency) ?? emptyTotal(row.currency);
    const sums = Object.fromEntries(REVENUE_COLUMNS.map((c) => [c, total[c] + row[c]])) as Sums;
    totals.set(row.currency, { ...total, ...sums });
  }
  return [...totals.values()]
    .map((total) => ({ ...total, closingDeferred: total.openingDeferred + deferredChange(total) }))
    .sort((a, b) => (a.currency < b.currency ? -1 : 1));
}

function emptyTotal(currency: string): RevenueRow {
  return { currency, period: 'total', openingDeferred: 0, ...noRevenue(), closingDeferred: 0 };
}
