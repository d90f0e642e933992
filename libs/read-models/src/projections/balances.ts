import type { PoolClient } from 'pg';
import { heldCredits } from '@credits/domain';
import { serializeTerms } from '@credits/domain/terms';
import type { AccountChange } from '../account-folds';
import { secondsOf, type ReadModel } from './read-model';

/** A grant as the balances read model keeps it: enough to compute what is available at any time. */
export interface StoredGrant {
  readonly grantId: string;
  readonly kind: string;
  readonly remaining: number;
  readonly pinned: number;
  readonly usableFrom: string;
  readonly expiresAt: string | null;
}

const iso = (ms: number): string | null =>
  Number.isFinite(ms) ? new Date(ms).toISOString() : null;

/** Each account's grants, holds, plan and terms (agents' caps and use) after its latest event. */
export const balancesReadModel: ReadModel = {
  name: 'balances',
  createSql: (version) => `
    CREATE TABLE IF NOT EXISTS rm_balances_v${version} (
      account_id text PRIMARY KEY,
      plan text,
      held bigint NOT NULL,
      grants jsonb NOT NULL,
      revision bigint NOT NULL,
      last_event_at timestamptz NOT NULL
    );
    -- Added with agents' caps: null until the account's next event, or a rebuild.
    ALTER TABLE rm_balances_v${version} ADD COLUMN IF NOT EXISTS terms jsonb`,
  tablesOf: (version) => [`rm_balances_v${version}`],
  viewSql: (version) =>
    `CREATE OR REPLACE VIEW rm_balances AS SELECT * FROM rm_balances_v${version}`,
  async apply(
    client: PoolClient,
    version: number,
    changes: readonly AccountChange[],
  ): Promise<void> {
    const latest = new Map<string, AccountChange>();
    for (const change of changes) latest.set(change.accountId, change);
    if (latest.size === 0) return;
    const rows = [...latest.values()];
    await client.query(
      `INSERT INTO rm_balances_v${version}
         (account_id, plan, held, grants, revision, last_event_at, terms)
       SELECT account_id, plan, held, grants, revision, to_timestamp(at_seconds), terms
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[], $5::bigint[], $6::float8[],
                     $7::jsonb[])
           AS row (account_id, plan, held, grants, revision, at_seconds, terms)
       ON CONFLICT (account_id) DO UPDATE SET plan = excluded.plan, held = excluded.held,
         grants = excluded.grants, revision = excluded.revision,
         last_event_at = excluded.last_event_at, terms = excluded.terms`,
      [
        rows.map((row) => row.accountId),
        rows.map((row) => row.after.plan),
        rows.map((row) => heldCredits(row.after)),
        rows.map((row) =>
          JSON.stringify(
            row.after.grants.map((grant): StoredGrant => ({
              grantId: grant.grantId,
              kind: grant.kind,
              remaining: grant.remaining,
              pinned: grant.pinned,
              usableFrom: iso(grant.usableFromMs) as string,
              expiresAt: iso(grant.expiresAtMs),
            })),
          ),
        ),
        rows.map((row) => row.recorded.revision.toString()),
        rows.map((row) => secondsOf(row.event.at)),
        rows.map((row) => JSON.stringify(serializeTerms(row.after.terms))),
      ],
    );
  },
};
