/**
 * Where an account's ledger lives in the event store: one stream per account, all in one
 * category, so a catch-up subscription can follow every ledger and nothing else.
 */
export const ACCOUNT_CATEGORY = 'account';

export function accountStream(accountId: string): string {
  return `${ACCOUNT_CATEGORY}-${accountId}`;
}

export function accountOfStream(streamName: string): string {
  return streamName.slice(ACCOUNT_CATEGORY.length + 1);
}
