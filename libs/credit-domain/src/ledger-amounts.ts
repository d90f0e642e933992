import type { CreditEvent } from './events';

/**
 * The credits a ledger event moves, signed as a statement shows them: grants and released holds
 * add, charges, reservations, lapses and removals subtract. A kept edit shows its accept part when
 * kept; its reservation showed when it was generated.
 */
export function creditsMoved(event: CreditEvent): number {
  switch (event.type) {
    case 'CreditsGranted':
      return event.credits;
    case 'GenerationCharged':
      return -(event.charged + event.held);
    case 'EditKept':
      return -event.charged;
    case 'EditDiscarded':
    case 'HoldLapsed':
      return event.released;
    case 'CreditsExpired':
      return -event.credits;
    case 'CreditsAdjusted':
      return event.grantId !== null ? event.requested : -event.removed;
    case 'CreditsVoided':
      return -event.credits;
    case 'GenerationRefunded':
      return event.credits;
    case 'GenerationRefused':
    case 'AcceptRefused':
    case 'CreditsRolledOver':
    case 'PlanChanged':
    case 'MemberCapSet':
    case 'BalanceThresholdSet':
    case 'AutoTopUpConfigured':
    case 'BalanceLow':
    case 'BalanceRestored':
    case 'AutoTopUpRequested':
    case 'EventIgnored':
      return 0;
  }
}
