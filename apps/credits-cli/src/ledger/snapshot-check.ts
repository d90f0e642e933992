import { isDeepStrictEqual } from 'node:util';
import {
  accountDecider,
  decodeAccountState,
  serializeAccountState,
  stateVersionOf,
  type CreditRules,
} from '@credits/domain';
import { accountStream } from '@credits/domain/streams';
import { millisOf } from '@credits/domain/instants';
import type { EventStore } from '@credits/event-store';
import { asError } from '@credits/runtime';
import type { LedgerEntry } from './history';

export interface SnapshotDifference {
  readonly accountId: string;
  readonly what: string;
  readonly ledger: string;
  readonly snapshotSays: string;
}

/**
 * Every kept snapshot of the version this deployment reads, against a fold of the stream from
 * the start up to the snapshot's revision: the same state, and the same latest event time.
 * Snapshots of other versions are never read, so they are counted, not compared.
 */
export async function checkSnapshots(
  store: EventStore,
  rules: CreditRules,
  ledgers: ReadonlyMap<string, readonly LedgerEntry[]>,
): Promise<{ checked: number; otherVersions: number; differences: SnapshotDifference[] }> {
  const decider = accountDecider(rules);
  const version = stateVersionOf(rules);
  const differences: SnapshotDifference[] = [];
  let checked = 0;
  let otherVersions = 0;
  for (const [accountId, ledger] of ledgers) {
    for (const snapshot of await store.snapshots.readAllOf(accountStream(accountId))) {
      if (snapshot.stateVersion !== version) {
        otherVersions += 1;
        continue;
      }
      checked += 1;
      const what = `snapshot at revision ${snapshot.revision}`;
      const folded = ledger.filter(({ recorded }) => recorded.revision <= snapshot.revision);
      let state = decider.initialState;
      let latestMs = -Infinity;
      for (const { event } of folded) {
        state = decider.evolve(state, event);
        latestMs = Math.max(latestMs, millisOf(event.at));
      }
      let stored;
      try {
        stored = decodeAccountState(snapshot.state);
      } catch (error) {
        differences.push({
          accountId,
          what,
          ledger: 'a state',
          snapshotSays: asError(error).message,
        });
        continue;
      }
      const expected = serializeAccountState(state);
      const actual = serializeAccountState(stored);
      if (folded.at(-1)?.recorded.revision !== snapshot.revision)
        differences.push({
          accountId,
          what,
          ledger: `ends at revision ${String(folded.at(-1)?.recorded.revision ?? 'none')}`,
          snapshotSays: String(snapshot.revision),
        });
      else if (!isDeepStrictEqual(actual, expected))
        differences.push({
          accountId,
          what,
          ledger: JSON.stringify(expected).slice(0, 500),
          snapshotSays: JSON.stringify(actual).slice(0, 500),
        });
      else if (Number.isFinite(latestMs) && snapshot.lastEventAt.getTime() !== latestMs)
        differences.push({
          accountId,
          what: `${what}: latest event time`,
          ledger: new Date(latestMs).toISOString(),
          snapshotSays: snapshot.lastEventAt.toISOString(),
        });
    }
  }
  return { checked, otherVersions, differences };
}
