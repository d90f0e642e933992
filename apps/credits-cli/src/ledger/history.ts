import {
  comparePositions,
  StreamNotFoundError,
  type EventStore,
  type Position,
  type ReadFrom,
} from '@credits/event-store';
import { entryOf, type LedgerEntry } from '@credits/ledger';
import { ACCOUNT_CATEGORY, accountOfStream, accountStream } from '@credits/domain/streams';

export type { LedgerEntry } from '@credits/ledger';

/** One account's ledger, oldest first; empty for an account with no events. */
export async function accountLedger(store: EventStore, accountId: string): Promise<LedgerEntry[]> {
  try {
    return (await store.readStream(accountStream(accountId))).map(entryOf);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

/**
 * Every account's ledger from the global log, up to a position when given (inclusive), with
 * `onPage` told how many events each page had.
 */
export async function allLedgers(
  store: EventStore,
  options: { upTo?: Position; onPage?: (events: number) => void } = {},
): Promise<Map<string, LedgerEntry[]>> {
  const ledgers = new Map<string, LedgerEntry[]>();
  let from: ReadFrom = 'start';
  for (;;) {
    const page = await store.readAll({ from, maxCount: 2_000, category: ACCOUNT_CATEGORY });
    for (const recorded of page.events) {
      if (options.upTo !== undefined && comparePositions(recorded.position, options.upTo) > 0)
        return ledgers;
      const accountId = accountOfStream(recorded.streamName);
      const ledger = ledgers.get(accountId) ?? [];
      ledger.push(entryOf(recorded));
      ledgers.set(accountId, ledger);
    }
    options.onPage?.(page.events.length);
    if (page.lastPosition) from = page.lastPosition;
    if (page.isEnd) return ledgers;
  }
}
