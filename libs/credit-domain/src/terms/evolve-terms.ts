import { opensNoGeneration, type CreditEvent } from '../events';
import { millisOf } from '../time';
import type { AccountTerms, MemberCharge } from './account-terms';
import { memberPeriodAt, withMemberCap, withMemberUse } from './members';

/** The agent and period a charge counts against, from the terms before it; none for a free edit. */
export function memberChargeOf(terms: AccountTerms, event: CreditEvent): MemberCharge | undefined {
  if (event.type !== 'GenerationCharged' || event.memberId === undefined) return undefined;
  if (opensNoGeneration(event)) return undefined;
  return {
    memberId: event.memberId,
    periodStartMs: memberPeriodAt(terms, event.memberId, millisOf(event.at)),
  };
}

/**
 * The terms after one ledger event. `charge` is the agent and period of the generation the event
 * is about (from `memberChargeOf` for a charge; remembered with the generation for the rest).
 * Accepts, discards, lapses and refunds count against the agent who generated.
 */
export function evolveTerms(
  terms: AccountTerms,
  event: CreditEvent,
  charge: MemberCharge | undefined,
  membersKept: number,
): AccountTerms {
  switch (event.type) {
    case 'CreditsGranted':
      if (event.kind === 'top_up' && terms.autoTopUpRequest !== null)
        return { ...terms, autoTopUpRequest: null };
      // A billing allowance starts a period (an upgrade's prorated credits do not).
      if (event.grantId.startsWith('allowance:') && event.expiresAt !== null) {
        const startMs = millisOf(event.usableFrom);
        const pending = terms.pendingPlan;
        return {
          ...terms,
          period: { startMs, endMs: millisOf(event.expiresAt), credits: event.credits },
          pendingPlan: pending !== null && startMs >= pending.fromMs ? null : pending,
        };
      }
      return terms;
    case 'PlanChanged':
      return {
        ...terms,
        pendingPlan:
          event.change === 'downgrade'
            ? { plan: event.plan, fromMs: millisOf(event.takesEffectAt) }
            : null,
      };
    case 'GenerationCharged':
      return charge ? withMemberUse(terms, charge, event.charged + event.held, membersKept) : terms;
    case 'EditKept':
      return charge && event.charged > 0
        ? withMemberUse(terms, charge, event.charged, membersKept)
        : terms;
    case 'EditDiscarded':
    case 'HoldLapsed':
      return charge && event.released > 0
        ? withMemberUse(terms, charge, -event.released, membersKept)
        : terms;
    case 'GenerationRefunded':
      return charge && event.credits > 0
        ? withMemberUse(terms, charge, -event.credits, membersKept)
        : terms;
    case 'MemberCapSet':
      return withMemberCap(terms, event.memberId, event.credits, millisOf(event.at));
    case 'BalanceThresholdSet':
      return { ...terms, balanceThreshold: event.credits };
    case 'AutoTopUpConfigured':
      return {
        ...terms,
        autoTopUp:
          event.credits > 0
            ? { threshold: event.threshold, credits: event.credits, price: event.price ?? null }
            : null,
      };
    case 'BalanceLow':
      return { ...terms, balanceLow: true };
    case 'BalanceRestored':
      return { ...terms, balanceLow: false };
    case 'AutoTopUpRequested':
      return {
        ...terms,
        autoTopUpRequest: { requestId: event.requestId, requestedAtMs: millisOf(event.at) },
        autoTopUpsRequested: terms.autoTopUpsRequested + 1,
      };
    default:
      return terms;
  }
}
