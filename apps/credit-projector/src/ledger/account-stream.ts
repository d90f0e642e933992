import { v5 as uuidv5 } from 'uuid';
import type { CreditEvent } from '@credits/domain';
import type { EventData, RecordedEvent } from '@credits/event-store';

export const ACCOUNT_CATEGORY = 'account';
// Fixed forever: stored event ids derived from it must stay the same across releases.
const LEDGER_EVENT_NAMESPACE = '3c0f8f7e-5d0b-4f7a-a1d3-9a4c2e6b8d10';

export function accountStream(accountId: string): string {
  return `${ACCOUNT_CATEGORY}-${accountId}`;
}

export function accountOf(streamName: string): string {
  return streamName.slice(ACCOUNT_CATEGORY.length + 1);
}

/**
 * A ledger event as the store keeps it. Its id depends on its place and its content: a retry of
 * the same decision is recognised by the store as the same append, and a different decision at
 * the same place is a conflict.
 */
export function toEventData(accountId: string, revision: bigint, event: CreditEvent): EventData {
  const data = event as unknown as Record<string, unknown>;
  return {
    id: uuidv5(
      `${accountStream(accountId)}@${revision}:${JSON.stringify(data)}`,
      LEDGER_EVENT_NAMESPACE,
    ),
    type: event.type,
    data,
    metadata: { accountId, schema: 1 },
  };
}

export function toCreditEvent(recorded: RecordedEvent): CreditEvent {
  return recorded.data as unknown as CreditEvent;
}
