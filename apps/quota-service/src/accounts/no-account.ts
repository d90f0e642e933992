import { NotFoundException } from '@nestjs/common';

/** The answer about an account the ledger has no event of. */
export function noAccount(accountId: string): NotFoundException {
  return new NotFoundException({
    error: 'account_not_found',
    details: [`account ${accountId} has no events`],
  });
}
