import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { nextDueMs, type AccountState } from '@credits/domain';
import { PG_POOL } from '@credits/postgres';

// Accounts and due times (epoch ms, or null for none) travel as one JSON array of pairs: pg
// escapes each element of an array parameter with regular expressions, and a chunk records
// hundreds of accounts.
const DUE_ROWS = `(SELECT pair->>0 AS account_id,
    timestamptz 'epoch' + (pair->>1)::bigint * interval '1 millisecond' AS due_at
  FROM jsonb_array_elements($1::jsonb) AS pair) AS given_due`;

function dueRows(pairs: [accountId: string, dueMs: number | null][]): string {
  return JSON.stringify(pairs);
}

/**
 * When each account next has a hold lapse or grant end due, so the sweeper finds idle accounts
 * without scanning every stream. Only a pointer: the account's own stream decides what is due.
 * A recorded time may be early (the sweeper then finds nothing, and records the true one) but
 * never late, so appends only write when an account's next due time moves earlier.
 */
@Injectable()
export class DueAccounts implements OnModuleInit {
  /** The earliest due time this process knows to be recorded, per account. */
  private readonly recorded: LRUCache<string, number>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.recorded = new LRUCache({ max: config.projector.cachedAccounts });
  }

  async onModuleInit(): Promise<void> {
    await this.pool.query(`
      CREATE TABLE IF NOT EXISTS projector_due_accounts (
        account_id text PRIMARY KEY,
        due_at timestamptz NOT NULL
      );
      CREATE INDEX IF NOT EXISTS projector_due_accounts_due_at ON projector_due_accounts (due_at);`);
  }

  /** After appends: records due times that are new or earlier than the recorded ones. */
  async record(accounts: readonly { accountId: string; state: AccountState }[]): Promise<void> {
    const earlier: { accountId: string; dueMs: number }[] = [];
    for (const { accountId, state } of accounts) {
      const dueMs = nextDueMs(state);
      const known = this.recorded.get(accountId);
      if (dueMs !== null && (known === undefined || dueMs < known))
        earlier.push({ accountId, dueMs });
    }
    if (earlier.length === 0) return;
    await this.pool.query(
      `INSERT INTO projector_due_accounts (account_id, due_at)
       SELECT * FROM ${DUE_ROWS}
       ON CONFLICT (account_id) DO UPDATE
         SET due_at = LEAST(projector_due_accounts.due_at, excluded.due_at)`,
      [dueRows(earlier.map(({ accountId, dueMs }) => [accountId, dueMs]))],
    );
    for (const { accountId, dueMs } of earlier) this.recorded.set(accountId, dueMs);
  }

  /** After a sweep: the exact next due time of each account swept, or none. */
  async reset(accounts: readonly { accountId: string; state: AccountState }[]): Promise<void> {
    if (accounts.length === 0) return;
    const due = accounts.map(({ state }) => nextDueMs(state));
    await this.pool.query(
      `WITH given AS (
         SELECT * FROM ${DUE_ROWS}
       ), cleared AS (
         DELETE FROM projector_due_accounts d USING given g
         WHERE d.account_id = g.account_id AND g.due_at IS NULL
       )
       INSERT INTO projector_due_accounts (account_id, due_at)
       SELECT account_id, due_at FROM given WHERE due_at IS NOT NULL
       ON CONFLICT (account_id) DO UPDATE SET due_at = excluded.due_at`,
      [dueRows(accounts.map(({ accountId }, index) => [accountId, due[index] ?? null]))],
    );
    accounts.forEach(({ accountId }, index) => {
      const dueMs = due[index];
      if (dueMs === null || dueMs === undefined) this.recorded.delete(accountId);
      else this.recorded.set(accountId, dueMs);
    });
  }

  async dueBy(at: Date, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ account_id: string }>(
      'SELECT account_id FROM projector_due_accounts WHERE due_at <= $1 ORDER BY due_at LIMIT $2',
      [at.toISOString(), limit],
    );
    return rows.map((row) => row.account_id);
  }
}
