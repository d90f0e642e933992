import type { Pool } from 'pg';
import { millisOf } from '@credits/domain/instants';
import { DAY_MS } from './whole-days';

/** How usage is grouped: one row per UTC day, edit type, resolution, agent, or (across) account. */
export const USAGE_BUCKETS = ['day', 'editType', 'resolution', 'member', 'account'] as const;
export type UsageBucket = (typeof USAGE_BUCKETS)[number];

/** Rows per answer: `limit` defaults to 1,000 and may not pass 10,000; `next` pages on. */
export const USAGE_ROWS_PER_PAGE = { default: 1_000, max: 10_000 } as const;

export const USAGE_COLUMNS = [
  'generations',
  'kept',
  'discarded',
  'lapsed',
  'refused',
  'credits',
] as const;
export type UsageCounts = Record<(typeof USAGE_COLUMNS)[number], number>;

export interface UsageRow extends UsageCounts {
  /** The day (YYYY-MM-DD, UTC), edit type, resolution (`none` for a free edit), agent or account. */
  readonly key: string;
}

export interface UsageQuery {
  readonly from: string;
  readonly to: string;
  readonly by: UsageBucket;
  /** One account's usage; none: every account's. */
  readonly accountId?: string;
  /** The page after this key (the previous answer's `next`). */
  readonly after?: string;
  readonly limit?: number;
}

export interface UsageReport {
  readonly from: string;
  readonly to: string;
  readonly by: UsageBucket;
  readonly accountId: string | null;
  readonly rows: UsageRow[];
  /** Over the whole period (every page). */
  readonly totals: UsageCounts;
  /** Pass as `after` for the next page; null on the last. */
  readonly next: string | null;
}

/**
 * Generations and what became of them over whole UTC days, grouped one way, from `usage_daily`
 * (by agent: from `member_usage`, where refunds also count against credits). Keys are ordered:
 * days by date, the rest by their text.
 */
export async function usageReport(pool: Pool, query: UsageQuery): Promise<UsageReport> {
  const limit = Math.min(query.limit ?? USAGE_ROWS_PER_PAGE.default, USAGE_ROWS_PER_PAGE.max);
  const member = query.by === 'member';
  const table = member ? 'rm_member_usage' : 'rm_usage_daily';
  const key = {
    day: `to_char(day, 'YYYY-MM-DD')`,
    editType: 'edit_type',
    resolution: `CASE WHEN resolution = '' THEN 'none' ELSE resolution END`,
    member: 'member_id',
    account: 'account_id',
  }[query.by];
  const filters = `account_id = coalesce($3, account_id)
        AND day >= date '1970-01-01' + $1::int AND day < date '1970-01-01' + $2::int`;
  const sums = USAGE_COLUMNS.map((column) => `sum(${column})::float8 AS ${column}`).join(', ');
  const params = [
    millisOf(query.from) / DAY_MS,
    millisOf(query.to) / DAY_MS,
    query.accountId ?? null,
  ];
  const [page, totals] = await Promise.all([
    pool.query<UsageRow>(
      `SELECT ${key} AS key, ${sums} FROM ${table}
        WHERE ${filters}
        GROUP BY 1 HAVING $4::text IS NULL OR ${key} > $4
        ORDER BY 1 LIMIT $5`,
      [...params, query.after ?? null, limit + 1],
    ),
    pool.query<UsageCounts>(`SELECT ${sums} FROM ${table} WHERE ${filters}`, params),
  ]);
  const rows = page.rows.slice(0, limit);
  const zero = Object.fromEntries(USAGE_COLUMNS.map((column) => [column, 0])) as UsageCounts;
  const sum = totals.rows[0];
  return {
    from: query.from,
    to: query.to,
    by: query.by,
    accountId: query.accountId ?? null,
    rows,
    totals: Object.fromEntries(
      USAGE_COLUMNS.map((column) => [column, sum?.[column] ?? zero[column]]),
    ) as UsageCounts,
    next: page.rows.length > limit ? (rows.at(-1)?.key ?? null) : null,
  };
}
