import type { RecordedEvent } from '@credits/event-store';
import type { CreditEvent } from '@credits/domain';
import { decodeLedgerEvent } from '@credits/contract';

/** One stored ledger event, as stored and as the domain reads it. */
export interface LedgerEntry {
  readonly recorded: RecordedEvent;
  readonly event: CreditEvent;
}

export const entryOf = (recorded: RecordedEvent): LedgerEntry => ({
  recorded,
  event: decodeLedgerEvent(recorded),
});
