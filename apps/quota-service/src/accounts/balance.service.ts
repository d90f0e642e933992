import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Pool } from 'pg';
import {
  availableCredits,
  heldCredits,
  openGenerations,
  type AccountDecider,
  type AccountState,
  type OpenGeneration,
} from '@credits/domain';
import {
  deserializeTerms,
  NO_TERMS,
  type AccountTerms,
  type SerializedTerms,
} from '@credits/domain/terms';
import { millisOf } from '@credits/domain/instants';
import { EVENT_STORE, type EventStore } from '@credits/event-store';
import {
  LiveCatalog,
  ledgersAsOf,
  stateOfLedgerAt,
  warnedSnapshotTrouble,
  type SnapshotTrouble,
} from '@credits/ledger';
import { PG_POOL } from '@credits/postgres';
import { balanceAt, type BalanceView, type StoredGrant } from '@credits/read-models';

export interface AccountBalance extends BalanceView {
  readonly plan: string | null;
  /** Agents' caps and use (none for a row written before terms were kept). */
  readonly terms: AccountTerms;
}

/** Balances now (from the balances read model) and at any past instant (folded from the ledger). */
@Injectable()
export class BalanceService {
  private readonly decider: AccountDecider;
  private readonly trouble: SnapshotTrouble;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    catalog: LiveCatalog,
    @InjectPinoLogger(BalanceService.name) logger: PinoLogger,
  ) {
    // The projector's rules and catalog: its snapshots are of their state version.
    this.decider = catalog.asDecider();
    this.trouble = warnedSnapshotTrouble((fields, message) => logger.warn(fields, message));
  }

  /** Null for an account with no events. */
  async current(accountId: string, atMs = Date.now()): Promise<AccountBalance | null> {
    const { rows } = await this.pool.query<{
      plan: string | null;
      held: number;
      grants: StoredGrant[];
      terms: SerializedTerms | null;
    }>('SELECT plan, held::float8 AS held, grants, terms FROM rm_balances WHERE account_id = $1', [
      accountId,
    ]);
    const row = rows[0];
    if (!row) return null;
    const terms = row.terms === null ? NO_TERMS : deserializeTerms(row.terms);
    return { ...balanceAt(row, atMs), plan: row.plan, terms };
  }

  /**
   * The ledger up to `asOf`, from the newest snapshot at or before it, with the lapses due by
   * then applied: exactly what the account held at that instant. Null for an account with no
   * events.
   */
  async asOf(accountId: string, asOf: string): Promise<BalanceView | null> {
    const asOfMs = millisOf(asOf);
    const state = await this.stateAt(accountId, asOfMs);
    if (!state) return null;
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

  /**
   * The generations holding credits at `atMs` (holds that lapsed by then released), the one
   * whose hold lapses first first; null for an account with no events. Folded from the ledger,
   * as the balances read model keeps only their sum.
   */
  async openHolds(accountId: string, atMs = Date.now()): Promise<OpenGeneration[] | null> {
    const state = await this.stateAt(accountId, atMs);
    return state ? openGenerations(state) : null;
  }

  private async stateAt(accountId: string, atMs: number): Promise<AccountState | null> {
    const ledger = (
      await ledgersAsOf(this.store, this.decider, [accountId], atMs, this.trouble)
    ).get(accountId);
    if (!ledger || (ledger.start === null && ledger.tail.length === 0)) return null;
    return stateOfLedgerAt(this.decider, ledger, atMs);
  }
}
