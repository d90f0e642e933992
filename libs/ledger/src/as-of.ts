import { millisOf } from '@credits/domain/instants';
import { stateAt, stateVersionOf, type AccountDecider, type AccountState } from '@credits/domain';
import type { EventStore } from '@credits/event-store';
import type { SnapshotState } from './account-start';
import { entryOf, type LedgerEntry } from './ledger-entry';
import { readAccounts, type SnapshotTrouble } from './read-accounts';

/**
 * An account's ledger as an as-of reader needs it: the newest snapshot whose events all
 * happened by the instant, and the stored events after it (which may have happened before or
 * after the instant: times are not in stream order).
 */
export interface LedgerAsOf {
  readonly start: SnapshotState | null;
  readonly tail: readonly LedgerEntry[];
}

/**
 * The ledgers of accounts as of `asOfMs`, each from its newest snapshot at or before that
 * instant. An account with no events comes back with no start and an empty tail.
 */
export async function ledgersAsOf(
  store: EventStore,
  decider: AccountDecider,
  accountIds: readonly string[],
  asOfMs: number,
  trouble?: SnapshotTrouble,
): Promise<Map<string, LedgerAsOf>> {
  const read = await readAccounts(store, stateVersionOf(decider.rules), accountIds, {
    atOrBefore: new Date(asOfMs),
    ...(trouble ? { trouble } : {}),
  });
  return new Map(
    [...read].map(([accountId, { start, tail }]) => [
      accountId,
      { start, tail: tail.map(entryOf) },
    ]),
  );
}

/** Whether the account had any event by `atMs`. */
export function hadEventsBy(ledger: LedgerAsOf, atMs: number): boolean {
  return ledger.start !== null || ledger.tail.some(({ event }) => millisOf(event.at) <= atMs);
}

/**
 * The account as it stood at `atMs`, for any `atMs` at or after the ledger's as-of instant:
 * the snapshot's state, then the tail's events that happened by then, then what fell due.
 */
export function stateOfLedgerAt(
  decider: AccountDecider,
  ledger: LedgerAsOf,
  atMs: number,
): AccountState {
  return stateAt(
    ledger.tail.map(({ event }) => event),
    atMs,
    ledger.start?.state ?? decider.initialState,
    decider.rules,
  );
}
