import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ACCOUNT_ID_PATTERN, IsInstant } from '@credits/contract';
import {
  REVENUE_ACCOUNTS_PER_PAGE,
  REVENUE_BUCKETS,
  type RevenueBucket,
} from '@credits/read-models';

const ACCOUNT_RULE = 'must be 1-128 characters of A-Z a-z 0-9 . _ : -';

export class RevenueQueryParams {
  /** The first UTC day, as its midnight (RFC 3339, e.g. 2026-11-01T00:00:00Z). */
  @IsInstant()
  from!: string;

  /** The UTC day after the last, as its midnight (exclusive). */
  @IsInstant()
  to!: string;

  /** One row per day (the default), month or account. */
  @IsOptional()
  @IsIn(REVENUE_BUCKETS)
  by?: RevenueBucket;

  /** One account only. */
  @IsOptional()
  @Matches(ACCOUNT_ID_PATTERN, { message: `account ${ACCOUNT_RULE}` })
  account?: string;

  /** By account: the page after this account (the previous answer's `next`). */
  @IsOptional()
  @Matches(ACCOUNT_ID_PATTERN, { message: `after ${ACCOUNT_RULE}` })
  after?: string;

  /** By account: accounts per page. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(REVENUE_ACCOUNTS_PER_PAGE.max)
  limit?: number;
}

export class RevenueRowView {
  currency!: string;
  /** The day (YYYY-MM-DD), month (YYYY-MM) or account id; `total` in totals. */
  period!: string;
  /** Minor units of the currency, as every amount here. */
  openingDeferred!: number;
  sold!: number;
  recognised!: number;
  breakage!: number;
  refunded!: number;
  voided!: number;
  closingDeferred!: number;
}

export class RevenueResponse {
  from!: string;
  to!: string;
  by!: string;
  accountId!: string | null;
  totals!: RevenueRowView[];
  rows!: RevenueRowView[];
  /** By account: pass as `after` for the next page; null on the last. */
  next!: string | null;
  /** Empty unless the read model disagrees with itself (then the answer is a 500). */
  discrepancies!: string[];
}
