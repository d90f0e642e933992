import type { PoolClient } from 'pg';
import { openGeneration } from '@credits/domain';
import type { AccountChange } from '../account-folds';
import { utcDayNumberOf, type ReadModel } from './read-model';

interface UsageCounts {
  generations: number;
  kept: number;
  discarded: number;
  lapsed: number;
  refused: number;
  credits: number;
}

const COUNTERS = ['generations', 'kept', 'discarded', 'lapsed', 'refused', 'credits'] as const;

/** The edit type, resolution and what to count for one change, if it is about a generation. */
function usageOf(
  change: AccountChange,
): { editType: string; resolution: string; add: Partial<UsageCounts> } | null {
  const { event, before } = change;
  switch (event.type) {
    case 'GenerationCharged':
      return {
        editType: event.editType,
        resolution: event.resolution ?? '',
        add: { generations: 1, credits: event.charged },
      };
    case 'GenerationRefused':
      return { editType: event.editType, resolution: event.resolution ?? '', add: { refused: 1 } };
    case 'EditKept':
    case 'EditDiscarded':
    case 'HoldLapsed': {
      const generation = openGeneration(before, event.generationId);
      if (!generation) return null;
      const add: Partial<UsageCounts> =
        event.type === 'EditKept'
          ? { kept: 1, credits: event.captured + event.charged }
          : event.type === 'EditDiscarded'
            ? { discarded: 1 }
            : { lapsed: 1 };
      return { editType: generation.editType, resolution: generation.resolution ?? '', add };
    }
    default:
      return null;
  }
}

/** Generations per account per day (UTC) by edit type and resolution, and the credits they cost. */
export const usageDailyReadModel: ReadModel = {
  name: 'usage_daily',
  createSql: (version) => `
    CREATE TABLE IF NOT EXISTS rm_usage_daily_v${version} (
      account_id text NOT NULL,
      day date NOT NULL,
      edit_type text NOT NULL,
      resolution text NOT NULL,
      generations integer NOT NULL,
      kept integer NOT NULL,
      discarded integer NOT NULL,
      lapsed integer NOT NULL,
      refused integer NOT NULL,
      credits bigint NOT NULL,
      PRIMARY KEY (account_id, day, edit_type, resolution)
    )`,
  tablesOf: (version) => [`rm_usage_daily_v${version}`],
  viewSql: (version) =>
    `CREATE OR REPLACE VIEW rm_usage_daily AS SELECT * FROM rm_usage_daily_v${version}`,
  async apply(
    client: PoolClient,
    version: number,
    changes: readonly AccountChange[],
  ): Promise<void> {
    const totals = new Map<string, { key: string[]; counts: UsageCounts }>();
    for (const change of changes) {
      const usage = usageOf(change);
      if (!usage) continue;
      const key = [
        change.accountId,
        String(utcDayNumberOf(change.event.at)),
        usage.editType,
        usage.resolution,
      ];
      const id = key.join('\u241f');
      const entry = totals.get(id) ?? {
        key,
        counts: { generations: 0, kept: 0, discarded: 0, lapsed: 0, refused: 0, credits: 0 },
      };
      for (const counter of COUNTERS) entry.counts[counter] += usage.add[counter] ?? 0;
      totals.set(id, entry);
    }
    if (totals.size === 0) return;
    const rows = [...totals.values()];
    await client.query(
      `INSERT INTO rm_usage_daily_v${version} AS u
         (account_id, day, edit_type, resolution, generations, kept, discarded, lapsed, refused, credits)
       SELECT account_id, date '1970-01-01' + day_number, edit_type, resolution, generations,
              kept, discarded, lapsed, refused, credits
         FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::int[], $6::int[],
                     $7::int[], $8::int[], $9::int[], $10::bigint[])
           AS row (account_id, day_number, edit_type, resolution, generations, kept, discarded,
                   lapsed, refused, credits)
       ON CONFLICT (account_id, day, edit_type, resolution) DO UPDATE SET
         generations = u.generations + excluded.generations, kept = u.kept + excluded.kept,
         discarded = u.discarded + excluded.discarded, lapsed = u.lapsed + excluded.lapsed,
         refused = u.refused + excluded.refused, credits = u.credits + excluded.credits`,
      [
        ...[0, 1, 2, 3].map((index) => rows.map((row) => row.key[index])),
        ...COUNTERS.map((counter) => rows.map((row) => row.counts[counter])),
      ],
    );
  },
};
