import type { PoolClient } from 'pg';
import { availableCredits } from '@credits/domain';
import { creditsMoved } from '@credits/domain/value';
import { millisOf } from '@credits/domain/instants';
import type { AccountChange } from '../account-folds';
import { secondsOf, type ReadModel } from './read-model';

/** One line per ledger event: what it moved, what was available after it, and who asked. */
export const ledgerLinesReadModel: ReadModel = {
  name: 'ledger_lines',
  createSql: (version) => `
    CREATE TABLE IF NOT EXISTS rm_ledger_lines_v${version} (
      account_id text NOT NULL,
      revision bigint NOT NULL,
      position text NOT NULL,
      time timestamptz NOT NULL,
      type text NOT NULL,
      credits bigint NOT NULL,
      available bigint NOT NULL,
      generation_id text,
      source_event_id text,
      published_by text,
      PRIMARY KEY (account_id, revision)
    );
    -- Tables made before the column existed; their earlier lines had no publisher to show.
    ALTER TABLE rm_ledger_lines_v${version} ADD COLUMN IF NOT EXISTS published_by text;
    CREATE INDEX IF NOT EXISTS rm_ledger_lines_v${version}_time ON rm_ledger_lines_v${version} (account_id, time)`,
  tablesOf: (version) => [`rm_ledger_lines_v${version}`],
  viewSql: (version) =>
    `CREATE OR REPLACE VIEW rm_ledger_lines AS SELECT * FROM rm_ledger_lines_v${version}`,
  async apply(
    client: PoolClient,
    version: number,
    changes: readonly AccountChange[],
  ): Promise<void> {
    if (changes.length === 0) return;
    await client.query(
      `INSERT INTO rm_ledger_lines_v${version}
         (account_id, revision, position, time, type, credits, available, generation_id,
          source_event_id, published_by)
       SELECT account_id, revision, position, to_timestamp(at_seconds), type, credits, available,
              generation_id, source_event_id, published_by
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::float8[], $5::text[],
                     $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[])
           AS row (account_id, revision, position, at_seconds, type, credits, available,
                   generation_id, source_event_id, published_by)
       ON CONFLICT (account_id, revision) DO NOTHING`,
      [
        changes.map((c) => c.accountId),
        changes.map((c) => c.recorded.revision.toString()),
        changes.map((c) => c.recorded.position),
        changes.map((c) => secondsOf(c.event.at)),
        changes.map((c) => c.event.type),
        changes.map((c) => creditsMoved(c.event)),
        changes.map((c) => availableCredits(c.after, millisOf(c.event.at))),
        changes.map((c) => ('generationId' in c.event ? (c.event.generationId ?? null) : null)),
        changes.map((c) => c.event.source?.id ?? null),
        changes.map((c) => c.event.source?.publishedBy ?? null),
      ],
    );
  },
};
