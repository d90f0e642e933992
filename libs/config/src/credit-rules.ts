import { STANDARD_RULES, type CreditRules } from '@credits/domain';
import type { AppConfig } from './app-config';

/** The credit rules this deployment runs: the standard ones with its hold timeout. */
export function creditRulesOf(config: AppConfig): CreditRules {
  return { ...STANDARD_RULES, holdTimeoutMs: config.credits.holdTimeoutMs };
}
