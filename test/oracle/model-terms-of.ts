import type { CreditRules } from '@credits/domain';
import type { ModelPlan, ModelTerms } from './model-terms';

/**
 * The model's terms for a run whose rules are set by configuration (memory bounds, plans): the
 * numbers read from the rules' settings. The edit prices are not among them: the model states
 * those itself.
 */
export function modelTermsOf(rules: CreditRules): ModelTerms {
  const plans: Record<string, ModelPlan> = {};
  for (const version of rules.priceBook.versions)
    for (const [name, plan] of Object.entries(version.plans ?? {}))
      plans[name] = {
        allowanceCredits: plan.allowanceCredits,
        ...(plan.reservation
          ? { reserveGenerateOnly: plan.reservation === 'reserve_generate_only' }
          : {}),
        ...(plan.balanceThresholdCredits === undefined
          ? {}
          : { balanceThresholdCredits: plan.balanceThresholdCredits }),
        ...(plan.rollover ? { rollover: plan.rollover } : {}),
      };
  return {
    holdTimeoutMs: rules.holdTimeoutMs,
    refundGrantMs: rules.refundGrantMs,
    maxOpenGenerations: rules.maxOpenGenerations,
    autoTopUpTimeoutMs: rules.autoTopUpTimeoutMs,
    settledGenerationsKept: rules.memory.settledGenerationsKept,
    membersKept: rules.memory.membersKept,
    plans,
    generateOnlyPlans: Object.entries(rules.planPolicies)
      .filter(([, policy]) => policy === 'reserve_generate_only')
      .map(([plan]) => plan),
  };
}
