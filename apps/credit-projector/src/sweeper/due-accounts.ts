import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { nextDueMs, type AccountState } from '@credits/domain';
import { PG_POOL } from '@credits/postgres';

/**
 * When each account next has a hold lapse or grant end due, so the sweeper finds idle accounts
 * without scanning every stream. Rebuildable: it only ever points the sweeper at an account,
 * whose own stream decides what is due.
 */
@Injectable()
export class DueAccounts implements OnModuleInit {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async onModuleInit(): Promise<void> {
    await this.pool.query(`
      CREATE TABLE IF NOT EXISTS projector_due_accounts (
        account_id text PRIMARY KEY,
        due_at timestamptz NOT NULL
      );
      CREATE INDEX IF NOT EXISTS projector_due_accounts_due_at ON projector_due_accounts (due_at);`);
  }

  async record(accounts: readonly { accountId: string; state: AccountState }[]): Promise<void> {
    if (accounts.length === 0) return;
    const due = accounts.map(({ state }) => nextDueMs(state));
    await this.pool.query(
      `WITH given AS (
         SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS g(account_id, due_at)
       ), cleared AS (
         DELETE FROM projector_due_accounts d USING given g
         WHERE d.account_id = g.account_id AND g.due_at IS NULL
       )
       INSERT INTO projector_due_accounts (account_id, due_at)
       SELECT account_id, due_at FROM given WHERE due_at IS NOT NULL
       ON CONFLICT (account_id) DO UPDATE SET due_at = excluded.due_at`,
      [
        accounts.map((account) => account.accountId),
        due.map((ms) => (ms === null ? null : new Date(ms).toISOString())),
      ],
    );
  }

  async dueBy(at: Date, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ account_id: string }>(
      'SELECT account_id FROM projector_due_accounts WHERE due_at <= $1 ORDER BY due_at LIMIT $2',
      [at.toISOString(), limit],
    );
    return rows.map((row) => row.account_id);
  }
}
