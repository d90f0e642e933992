import type { ChangePlan } from '../commands';
import type { CreditEvent, CreditsGranted, PlanChanged } from '../events';
import { planAt } from '../pricing/price-book';
import type { CreditRules } from '../credit-rules';
import { instantOf, millisOf } from '../time';
import { planInForce, type AccountTerms } from './account-terms';

/** A command the rules cannot decide (its message names the field): it is dead-lettered. */
export class UndecidableCommandError extends Error {
  override readonly name = 'UndecidableCommandError';
}

/**
 * A plan change, decided against the catalog in force at `effectiveAt`:
 * - an upgrade (a plan whose allowance is larger than the one in force) is in force at once,
 *   and grants the difference of the allowances prorated by the time left in the current
 *   allowance period, rounded down, usable until the period's end;
 * - any other change (a downgrade, or a plan of the same allowance) is in force at the end of
 *   the current period;
 * - outside any allowance period (none yet, or after the latest one ended) it is in force at
 *   `effectiveAt`, and grants nothing.
 * A plan the catalog does not name cannot be decided.
 */
export function planChangeEvents(
  rules: CreditRules,
  command: ChangePlan,
  plan: string | null,
  terms: AccountTerms,
  grantTaken: (grantId: string) => boolean,
): CreditEvent[] {
  const effectiveMs = millisOf(command.effectiveAt);
  const next = planAt(rules.priceBook, command.plan, effectiveMs);
  if (next === undefined)
    throw new UndecidableCommandError(
      `plan: the catalog in force at ${command.effectiveAt} has no plan ${JSON.stringify(command.plan)}`,
    );
  const previousPlan = planInForce(plan, terms, effectiveMs);
  const base = { at: command.at, source: command.source };
  const ignored = (reason: 'same_plan' | 'repeated_grant'): CreditEvent[] => [
    { type: 'EventIgnored', ...base, command: command.type, reason },
  ];
  // Already the plan (a change sent again, say), with no other change waiting: nothing to do.
  if (command.plan === previousPlan && (terms.pendingPlan?.plan ?? command.plan) === command.plan)
    return ignored('same_plan');
  const period = terms.period;
  const inPeriod = period !== null && period.startMs <= effectiveMs && effectiveMs < period.endMs;
  const currentAllowance =
    planAt(rules.priceBook, previousPlan, effectiveMs)?.allowanceCredits ?? period?.credits ?? 0;
  const upgrade = next.allowanceCredits > currentAllowance;
  const prorated =
    upgrade && inPeriod
      ? Number(
          (BigInt(next.allowanceCredits - currentAllowance) * BigInt(period.endMs - effectiveMs)) /
            BigInt(period.endMs - period.startMs),
        )
      : 0;
  const changed: PlanChanged = {
    type: 'PlanChanged',
    ...base,
    plan: command.plan,
    previousPlan,
    change: upgrade ? 'upgrade' : 'downgrade',
    effectiveAt: command.effectiveAt,
    takesEffectAt: !upgrade && inPeriod ? instantOf(period.endMs) : command.effectiveAt,
    proratedCredits: prorated,
  };
  if (prorated <= 0 || !inPeriod) return [changed];
  const grantId = `plan-change:${command.plan}:${command.effectiveAt}`;
  // The same change sent again under another event id grants nothing twice.
  if (grantTaken(grantId)) return ignored('repeated_grant');
  const granted: CreditsGranted = {
    type: 'CreditsGranted',
    ...base,
    grantId,
    kind: 'allowance',
    credits: prorated,
    usableFrom: command.effectiveAt,
    expiresAt: instantOf(period.endMs),
    plan: command.plan,
  };
  return [changed, granted];
}
