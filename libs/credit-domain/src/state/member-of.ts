import type { CreditEvent } from '../events';
import type { AccountState } from './account-state';

/**
 * The agent a ledger event is about, given the account's state before it: the agent who asked
 * for the generation it charges, refuses, keeps, discards, lapses or refunds. Undefined for
 * every other event, and for generations no agent asked for.
 */
export function memberOfEvent(before: AccountState, event: CreditEvent): string | undefined {
  switch (event.type) {
    case 'GenerationCharged':
    case 'GenerationRefused':
      return event.memberId;
    case 'EditKept':
    case 'EditDiscarded':
    case 'HoldLapsed':
      return before.generations.open(event.generationId)?.member?.memberId;
    case 'GenerationRefunded':
      return before.generations.settled(event.generationId)?.member?.memberId;
    default:
      return undefined;
  }
}
