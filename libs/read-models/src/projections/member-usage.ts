import type { PoolClient } from 'pg';
import { memberOfEvent } from '@credits/domain/terms';
import { type CreditEvent } from '@credits/domain';
import type { AccountChange } from '../account-folds';
import { utcDayNumberOf, type ReadModel } from './read-model';

export const MEMBER_USAGE_COUNTERS = [
  'generations',
  'kept',
  'discarded',
  'lapsed',
  'refused',
  'refunded',
  'credits',
] as const;

export type MemberUsageCounts = Record<(typeof MEMBER_USAGE_COUNTERS)[number], number>;

/** What a change counts for the agent it is about (see `memberOfEvent`). */
function countsOf(event: CreditEvent): Partial<MemberUsageCounts> {
  switch (event.type) {
    case 'GenerationCharged':
      return { generations: 1, credits: event.charged };
    case 'GenerationRefused':
      return { refused: 1 };
    case 'EditKept':
      return { kept: 1, credits: event.captured + event.charged };
    case 'EditDiscarded':
      return { discarded: 1 };
    case 'HoldLapsed':
      return { lapsed: 1 };
    case 'GenerationRefunded':
      return { refunded: 1, credits: -event.credits };
    default:
      return {};
  }
}

function memberUsageOf(
  change: AccountChange,
): { memberId: string; add: Partial<MemberUsageCounts> } | null {
  const memberId = memberOfEvent(change.before, change.event);
  return memberId === undefined ? null : { memberId, add: countsOf(change.event) };
}

/**
 * What each agent of a pooled account did per UTC day: generations, what became of them, and the
 * credits they consumed (charged, kept, less what refunds gave back). Days are of the event's
 * time; an accept, reject, lapse or refund counts for the agent who generated.
 */
export const memberUsageReadModel: ReadModel = {
  name: 'member_usage',
  createSql: (version) => `
    CREATE TABLE IF NOT EXISTS rm_member_usage_v${version} (
      account_id text NOT NULL,
      member_id text NOT NULL,
      day date NOT NULL,
      generations integer NOT NULL,
      kept integer NOT NULL,
      discarded integer NOT NULL,
      lapsed integer NOT NULL,
      refused integer NOT NULL,
      refunded integer NOT NULL,
      credits bigint NOT NULL,
      PRIMARY KEY (account_id, member_id, day)
    )`,
  tablesOf: (version) => [`rm_member_usage_v${version}`],
  viewSql: (version) =>
    `CREATE OR REPLACE VIEW rm_member_usage AS SELECT * FROM rm_member_usage_v${version}`,
  async apply(
    client: PoolClient,
    version: number,
    changes: readonly AccountChange[],
  ): Promise<void> {
    const totals = new Map<string, { key: [string, string, number]; counts: MemberUsageCounts }>();
    for (const change of changes) {
      const usage = memberUsageOf(change);
      if (!usage) continue;
      const day = utcDayNumberOf(change.event.at);
      const id = `${change.accountId}\u241f${usage.memberId}\u241f${day}`;
      const entry = totals.get(id) ?? {
        key: [change.accountId, usage.memberId, day] as [string, string, number],
        counts: Object.fromEntries(MEMBER_USAGE_COUNTERS.map((c) => [c, 0])) as MemberUsageCounts,
      };
      for (const counter of MEMBER_USAGE_COUNTERS) entry.counts[counter] += usage.add[counter] ?? 0;
      totals.set(id, entry);
    }
    if (totals.size === 0) return;
    const rows = [...totals.values()];
    await client.query(
      `INSERT INTO rm_member_usage_v${version} AS u
         (account_id, member_id, day, generations, kept, discarded, lapsed, refused, refunded, credits)
       SELECT account_id, member_id, date '1970-01-01' + day_number, generations, kept, discarded,
              lapsed, refused, refunded, credits
         FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[],
                     $7::int[], $8::int[], $9::int[], $10::bigint[])
           AS row (account_id, member_id, day_number, generations, kept, discarded, lapsed,
                   refused, refunded, credits)
       ON CONFLICT (account_id, member_id, day) DO UPDATE SET
         generations = u.generations + excluded.generations, kept = u.kept + excluded.kept,
         discarded = u.discarded + excluded.discarded, lapsed = u.lapsed + excluded.lapsed,
         refused = u.refused + excluded.refused, refunded = u.refunded + excluded.refunded,
         credits = u.credits + excluded.credits`,
      [
        ...[0, 1, 2].map((index) => rows.map((row) => row.key[index])),
        ...MEMBER_USAGE_COUNTERS.map((counter) => rows.map((row) => row.counts[counter])),
      ],
    );
  },
};
