import { IsOptional, IsString, Length, Matches } from 'class-validator';
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
