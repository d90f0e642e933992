import type { Grant } from '../account-records';
import type { CreditsRolledOver } from '../events';
import { planAt } from '../pricing/price-book';
import type { CreditRules } from '../credit-rules';
import { instantOf } from '../time';
import { valueTaken } from '../value';
import { planInForce, type AccountTerms } from './account-terms';

/** Fractions are applied in millionths, in integers: 0.29 × 100 is 29, never 28.999…. */
const MILLIONTHS = 1_000_000;

/**
 * What an allowance ending now carries into the next period under the rollover rule of the plan
 * in force at its end (a downgrade waiting for that end is in force then): the rule's share of
 * its unused, unpinned credits, rounded down, within what the rule's cap leaves after the other
 * allowances ending at the same instant (`rolledAtEnd`). They last the rule's number of periods.
 * Null when nothing rolls over: no rule, a grant that is not a billing allowance (rollover grants
 * never roll over again), or nothing left.
 */
export function rolloverAtEnd(
  rules: CreditRules,
  grant: Grant,
  unused: number,
  plan: string | null,
  terms: AccountTerms,
  rolledAtEnd: number,
): CreditsRolledOver | null {
  if (grant.kind !== 'allowance' || unused <= 0) return null;
  const endMs = grant.expiresAtMs;
  const planThen = planInForce(plan, terms, endMs);
  const rule = planAt(rules.priceBook, planThen, endMs)?.rollover;
  if (rule === undefined || planThen === null) return null;
  const share = Math.floor((unused * Math.round(rule.fraction * MILLIONTHS)) / MILLIONTHS);
  const credits = Math.min(share, rule.capCredits - rolledAtEnd);
  if (credits <= 0) return null;
  const periodMs = terms.period
    ? terms.period.endMs - terms.period.startMs
    : grant.expiresAtMs - grant.usableFromMs;
  return {
    type: 'CreditsRolledOver',
    at: instantOf(endMs),
    grantId: rolloverGrantId(grant.grantId),
    fromGrantId: grant.grantId,
    credits,
    ...(grant.price
      ? {
          value: {
            amount: valueTaken(grant.deferred, grant.remaining, credits),
            currency: grant.price.currency,
          },
        }
      : {}),
    usableFrom: instantOf(endMs),
    expiresAt: instantOf(endMs + (rule.periods ?? 1) * periodMs),
    plan: planThen,
  };
}

export function rolloverGrantId(allowanceGrantId: string): string {
  return `rollover:${allowanceGrantId}`;
}
