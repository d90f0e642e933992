import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Length, Max, Min } from 'class-validator';
import { IsInstant } from '@credits/contract';
import { USAGE_ROWS_PER_PAGE, type UsageBucket } from '@credits/read-models';

/** Whole UTC days, paged by key. */
class UsagePeriodQuery {
  /** The first UTC day, as its midnight (RFC 3339, e.g. 2026-11-01T00:00:00Z). */
  @IsInstant()
  from!: string;

  /** The UTC day after the last, as its midnight (exclusive); at most 3,660 days after `from`. */
  @IsInstant()
  to!: string;

  /** The page after this key: the previous answer's `next`. */
  @IsOptional()
  @Length(1, 300)
  after?: string;

  /** Rows per page: 1,000 by default, at most 10,000. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(USAGE_ROWS_PER_PAGE.max)
  limit?: number;
}

export const ACCOUNT_USAGE_BUCKETS = ['day', 'editType', 'resolution', 'member'] as const;
export const ALL_USAGE_BUCKETS = ['day', 'editType', 'resolution', 'account'] as const;

export class AccountUsageQuery extends UsagePeriodQuery {
  /** One row per UTC day (the default), edit type, resolution, or agent of a pool. */
  @IsOptional()
  @IsIn(ACCOUNT_USAGE_BUCKETS)
  by?: Extract<UsageBucket, (typeof ACCOUNT_USAGE_BUCKETS)[number]>;
}

export class AllUsageQuery extends UsagePeriodQuery {
  /** One row per UTC day (the default), edit type, resolution, or account. */
  @IsOptional()
  @IsIn(ALL_USAGE_BUCKETS)
  by?: Extract<UsageBucket, (typeof ALL_USAGE_BUCKETS)[number]>;
}

export class UsageCountsView {
  generations!: number;
  kept!: number;
  discarded!: number;
  lapsed!: number;
  refused!: number;
  /** Credits consumed: generate parts charged and kept edits captured (by agent: less refunds). */
  credits!: number;
}

export class UsageRowView extends UsageCountsView {
  /** The day (YYYY-MM-DD, UTC), edit type, resolution (`none`: a free edit), agent or account. */
  key!: string;
}

export class UsageResponse {
  from!: string;
  to!: string;
  by!: string;
  accountId!: string | null;
  rows!: UsageRowView[];
  /** Over the whole period, every page. */
  totals!: UsageCountsView;
  /** Pass as `after` for the next page; null on the last. */
  next!: string | null;
}
