import { STANDARD_RULES, type CreditRules } from '@credits/domain';
import type { AppConfig } from './app-config';

/** The credit rules this deployment runs: the standard ones with its hold timeout, refund grant life and memory. */
export function creditRulesOf(config: AppConfig): CreditRules {
  return {
    ...STANDARD_RULES,
    holdTimeoutMs: config.credits.holdTimeoutMs,
    refundGrantMs: config.credits.refundGrantDays * 86_400_000,
    memory: {
      ...STANDARD_RULES.memory,
      settledGenerationsKept: config.credits.settledGenerationsKept,
      recordOnlySourcesKept: config.credits.recordOnlySourcesKept,
    },
  };
}
