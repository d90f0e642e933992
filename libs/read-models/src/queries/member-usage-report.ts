import type { Pool } from 'pg';
import { millisOf } from '@credits/domain/instants';
import { MEMBER_USAGE_COUNTERS, type MemberUsageCounts } from '../projections/member-usage';
import { DAY_MS, wholeDaysProblem } from './whole-days';

export interface MemberUsageDay extends MemberUsageCounts {
  /** YYYY-MM-DD (UTC). */
  readonly day: string;
}

export interface MemberUsageReport {
  readonly accountId: string;
  readonly memberId: string;
  readonly from: string;
  readonly to: string;
  /** One row per UTC day with activity, oldest first: at most the period's days (≤ 3,660). */
  readonly days: MemberUsageDay[];
  readonly totals: MemberUsageCounts;
}

/** Why a period cannot be reported (whole UTC days, at most 3,660 of them), or null. */
export function usagePeriodProblem(from: string, to: string): string | null {
  return wholeDaysProblem('usage', from, to);
}

/** An agent's usage per UTC day over whole days [from, to), from member_usage. */
export async function memberUsageReport(
  pool: Pool,
  query: { accountId: string; memberId: string; from: string; to: string },
): Promise<MemberUsageReport> {
  const { rows } = await pool.query<MemberUsageCounts & { day: string }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, generations, kept, discarded, lapsed, refused,
            refunded, credits::float8 AS credits
       FROM rm_member_usage
      WHERE account_id = $1 AND member_id = $2
        AND day >= date '1970-01-01' + $3::int AND day < date '1970-01-01' + $4::int
      ORDER BY day`,
    [query.accountId, query.memberId, millisOf(query.from) / DAY_MS, millisOf(query.to) / DAY_MS],
  );
  const totals = Object.fromEntries(
    MEMBER_USAGE_COUNTERS.map((counter) => [
      counter,
      rows.reduce((sum, row) => sum + row[counter], 0),
    ]),
  ) as MemberUsageCounts;
  return { ...query, days: rows, totals };
}
