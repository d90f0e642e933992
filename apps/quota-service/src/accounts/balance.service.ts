import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  accountStream,
  availableCredits,
  heldCredits,
  millisOf,
  stateAt,
  type CreditEvent,
} from '@credits/domain';
import { decodeLedgerEvent } from '@credits/contract';
import { EVENT_STORE, StreamNotFoundError, type EventStore } from '@credits/event-store';
import { PG_POOL } from '@credits/postgres';
import { balanceAt, type BalanceView, type StoredGrant } from '@credits/read-models';

export interface AccountBalance extends BalanceView {
  readonly plan: string | null;
}

/** Balances now (from the balances read model) and at any past instant (folded from the ledger). */
@Injectable()
export class BalanceService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** Null for an account with no events. */
  async current(accountId: string, atMs = Date.now()): Promise<AccountBalance | null> {
    const { rows } = await this.pool.query<{
      plan: string | null;
      held: number;
      grants: StoredGrant[];
    }>('SELECT plan, held::float8 AS held, grants FROM rm_balances WHERE account_id = $1', [
      accountId,
    ]);
    const row = rows[0];
    return row ? { ...balanceAt(row, atMs), plan: row.plan } : null;
  }

  /**
   * The ledger folded up to `asOf`, with the lapses due by then applied: exactly what the account
   * held at that instant. Null for an account with no events.
   */
  async asOf(accountId: string, asOf: string): Promise<BalanceView | null> {
    const asOfMs = millisOf(asOf);
    let events: CreditEvent[];
    try {
      events = (await this.store.readStream(accountStream(accountId))).map(decodeLedgerEvent);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
    const state = stateAt(events, asOfMs);
    return {
      available: availableCredits(state, asOfMs),
      held: heldCredits(state),
      grants: state.grants
        .filter((grant) => grant.remaining > 0 && asOfMs < grant.expiresAtMs)
        .map((grant) => ({
          grantId: grant.grantId,
          kind: grant.kind,
          remaining: grant.remaining,
          expiresAt: Number.isFinite(grant.expiresAtMs)
            ? new Date(grant.expiresAtMs).toISOString()
            : null,
        })),
    };
  }
}
