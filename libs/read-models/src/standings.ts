import type { Pool } from 'pg';
import { PostgresCheckpoints, type EventStore, type ReadFrom } from '@credits/event-store';
import { ACCOUNT_CATEGORY } from './account-folds';
import { READ_MODELS } from './all-read-models';
import { checkpointName, ReadModelRegistry } from './registry';

/**
 * Ledger events counted past a checkpoint before counting stops: a read model rebuilding from the
 * start of a long history is "at least this far behind", and asking costs a bounded read.
 */
export const EVENTS_BEHIND_COUNTED = 100_000;

export interface ReadModelStanding {
  readonly readModel: string;
  readonly version: number;
  readonly state: 'serving' | 'rebuilding';
  readonly checkpoint: string;
  /** Ledger events after its checkpoint, counted up to EVENTS_BEHIND_COUNTED. */
  readonly eventsBehind: number;
  /** When its checkpoint was last saved; null before its first save. */
  readonly savedAt: Date | null;
}

/** Ledger events after a checkpoint, counted up to `cap`: how far behind a read model is. */
export async function ledgerEventsAfter(
  store: EventStore,
  from: ReadFrom,
  cap = Number.POSITIVE_INFINITY,
): Promise<number> {
  let count = 0;
  let position = from;
  for (;;) {
    const page = await store.readAll({
      from: position,
      maxCount: 5_000,
      category: ACCOUNT_CATEGORY,
    });
    count += page.events.length;
    if (page.lastPosition) position = page.lastPosition;
    if (page.isEnd || count >= cap) return Math.min(count, cap);
  }
}

/** Each read model's versions (serving, and rebuilding if one is), with how far each is behind. */
export async function readModelStandings(
  store: EventStore,
  pool: Pool,
  /** Events counted past each checkpoint at most: 1 asks only whether it is behind. */
  countUpTo = EVENTS_BEHIND_COUNTED,
): Promise<ReadModelStanding[]> {
  const registry = new ReadModelRegistry(pool);
  const checkpoints = new PostgresCheckpoints(pool);
  const standings: ReadModelStanding[] = [];
  for (const model of READ_MODELS) {
    const { active, building } = await registry.ensure(model);
    for (const version of building ? [active, building] : [active]) {
      const checkpoint = await checkpoints.load(checkpointName(model, version));
      standings.push({
        readModel: model.name,
        version,
        state: version === active ? 'serving' : 'rebuilding',
        checkpoint: checkpoint?.position ?? 'none',
        eventsBehind: await ledgerEventsAfter(store, checkpoint?.position ?? 'start', countUpTo),
        savedAt: checkpoint?.savedAt ?? null,
      });
    }
  }
  return standings;
}
