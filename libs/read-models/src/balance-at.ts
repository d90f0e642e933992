import type { StoredGrant } from './projections/balances';

export interface BalanceView {
  readonly available: number;
  readonly held: number;
  readonly grants: { grantId: string; kind: string; remaining: number; expiresAt: string | null }[];
}

/**
 * An account's balance at an instant from its balances row: unpinned credits of grants usable
 * then. Holds and lapses stand as the ledger has recorded them (the sweeper records due ones).
 */
export function balanceAt(row: { held: number; grants: StoredGrant[] }, atMs: number): BalanceView {
  let available = 0;
  const grants: BalanceView['grants'] = [];
  for (const grant of row.grants) {
    const ended = grant.expiresAt !== null && Date.parse(grant.expiresAt) <= atMs;
    if (!ended && Date.parse(grant.usableFrom) <= atMs) available += grant.remaining - grant.pinned;
    if (!ended && grant.remaining > 0)
      grants.push({
        grantId: grant.grantId,
        kind: grant.kind,
        remaining: grant.remaining,
        expiresAt: grant.expiresAt,
      });
  }
  return { available, held: row.held, grants };
}
