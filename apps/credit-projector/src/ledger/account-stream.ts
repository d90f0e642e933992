import { NameBasedUuids } from '@credits/contract';
import { accountStream, type CreditEvent } from '@credits/domain';

export { accountStream };
import type { EventData, RecordedEvent } from '@credits/event-store';

// Fixed forever: stored event ids derived from it must stay the same across releases.
const ledgerEventIds = new NameBasedUuids('3c0f8f7e-5d0b-4f7a-a1d3-9a4c2e6b8d10');

/**
 * What tells one ledger event from another at the same place: its type, cause and subject. Fixed
 * forever, like the namespace: the cause is spelled here rather than by the domain's in-memory
 * idempotency key, whose form may change.
 */
function identity(event: CreditEvent): string {
  const cause = event.source ? `${event.source.producer}\u241f${event.source.id}` : event.at;
  const subject =
    'generationId' in event ? event.generationId : 'grantId' in event ? event.grantId : '';
  return `${event.type}:${cause}:${subject ?? ''}`;
}

/**
 * A ledger event as the store keeps it. Its id depends on its place and what caused it: a retry
 * of the same decision is recognised by the store as the same append, and a different decision
 * at the same place is a conflict. (Two writers at one revision folded the same state, so the
 * same cause there means the same decision.)
 */
export function toEventData(accountId: string, revision: bigint, event: CreditEvent): EventData {
  return {
    id: ledgerEventIds.of(`${accountStream(accountId)}@${revision}:${identity(event)}`),
    type: event.type,
    data: event as unknown as Record<string, unknown>,
    metadata: { accountId, schema: 1 },
  };
}

export function toCreditEvent(recorded: RecordedEvent): CreditEvent {
  return recorded.data as unknown as CreditEvent;
}
