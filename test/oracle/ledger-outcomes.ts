import type { CreditEvent } from '@credits/domain';
import { outcome } from './outcomes';

/** What a user can observe of one ledger event, in the words the credit model uses. */
export function outcomeOf(event: CreditEvent): string {
  const atMs = Date.parse(event.at);
  switch (event.type) {
    case 'CreditsGranted':
      return outcome.granted(event.grantId, event.kind, event.credits);
    case 'GenerationCharged':
      return outcome.charged(event.generationId, event.chargedFrom, event.heldFrom);
    case 'GenerationRefused':
      return outcome.refused(
        event.generationId,
        event.reason,
        event.required,
        event.available,
        event.cap === undefined ? undefined : { cap: event.cap, used: event.used ?? 0 },
      );
    case 'EditKept':
      return outcome.kept(event.generationId, event.capturedFrom, event.chargedFrom);
    case 'AcceptRefused':
      return outcome.acceptRefused(event.generationId, event.required, event.available);
    case 'EditDiscarded':
      return outcome.discarded(event.generationId, event.released);
    case 'HoldLapsed':
      return outcome.lapsed(event.generationId, event.released, atMs);
    case 'CreditsExpired':
      return outcome.expired(event.grantId, event.credits, event.value, atMs);
    case 'CreditsVoided':
      return outcome.voided(event.grantId, event.credits, event.value, event.stillPinned, atMs);
    case 'CreditsAdjusted':
      return event.grantId === null
        ? outcome.removed(event.adjustmentId, event.removedFrom, event.shortfall)
        : outcome.granted(event.grantId, 'adjustment', event.requested);
    case 'GenerationRefunded':
      return outcome.refunded(
        event.generationId,
        event.returnedTo,
        event.refundGrants.map((grant) => ({
          grantId: grant.grantId,
          credits: grant.credits,
          ...(grant.price ? { value: grant.price } : {}),
          expiresAtMs: Date.parse(grant.expiresAt),
        })),
      );
    case 'CreditsRolledOver':
      return outcome.rolledOver(
        event.fromGrantId,
        event.credits,
        event.value,
        Date.parse(event.expiresAt),
      );
    case 'PlanChanged':
      return outcome.planChanged(
        event.plan,
        event.change,
        Date.parse(event.takesEffectAt),
        event.proratedCredits,
      );
    case 'MemberCapSet':
      return outcome.capSet(event.memberId, event.credits);
    case 'BalanceThresholdSet':
      return outcome.thresholdSet(event.credits);
    case 'AutoTopUpConfigured':
      return outcome.autoTopUpSet(event.threshold, event.credits);
    case 'BalanceLow':
      return outcome.balanceLow(event.available, event.threshold);
    case 'BalanceRestored':
      return outcome.balanceRestored(event.available, event.threshold);
    case 'AutoTopUpRequested':
      return outcome.autoTopUpAsked(event.credits, event.available, event.threshold);
    case 'EventIgnored':
      return outcome.ignored(event.reason);
  }
}
