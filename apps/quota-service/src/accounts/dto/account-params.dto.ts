import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { ACCOUNT_ID_PATTERN, IsInstant } from '@credits/contract';

export class AccountParams {
  /** The account id: 1-128 characters of A-Z a-z 0-9 . _ : - */
  @Matches(ACCOUNT_ID_PATTERN, { message: 'id must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
  id!: string;
}

export class GenerationParams extends AccountParams {
  @IsString()
  @Length(1, 128)
  generationId!: string;
}

export class BalanceQuery {
  /** The balance at this instant (RFC 3339), folded from the account's ledger. */
  @IsOptional()
  @IsInstant()
  asOf?: string;
}

export class LedgerQuery {
  /** From this instant, inclusive (RFC 3339). */
  @IsOptional()
  @IsInstant()
  from?: string;

  /** Up to this instant, exclusive (RFC 3339). */
  @IsOptional()
  @IsInstant()
  to?: string;
}

/** Ledger lines per answer: 1,000 by default, at most 10,000; `next` pages on. */
export const LEDGER_LINES_PER_PAGE = { default: 1_000, max: 10_000 } as const;

export class LedgerPageQuery extends LedgerQuery {
  /** Where the previous page ended: its `next`. */
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'cursor must be the `next` of an earlier answer' })
  cursor?: string;

  /** Lines per page: 1,000 by default, at most 10,000. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(LEDGER_LINES_PER_PAGE.max)
  limit?: number;
}

/** Open holds per answer: 100 by default, at most 1,000; `next` pages on. */
export const HOLDS_PER_PAGE = { default: 100, max: 1_000 } as const;

export class HoldsPageQuery {
  /** Where the previous page ended: its `next` (the hold's lapse, in ms, a dot, its generation id). */
  @IsOptional()
  @Matches(/^\d{1,16}\..{1,128}$/, { message: 'cursor must be the `next` of an earlier answer' })
  cursor?: string;

  /** Holds per page: 100 by default, at most 1,000. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(HOLDS_PER_PAGE.max)
  limit?: number;
}
