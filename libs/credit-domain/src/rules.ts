import { STANDARD_PRICE_BOOK, type PriceBook } from './pricing/price-book';

/**
 * How much a generation reserves. `reserve_kept_cost` (the default) charges the generate part and
 * holds the accept part, so whoever may generate can always afford to keep; `reserve_generate_only`
 * charges only the generate part, and an accept that cannot then be paid is refused.
 */
export type ReservationPolicy = 'reserve_kept_cost' | 'reserve_generate_only';

export interface CreditRules {
  readonly priceBook: PriceBook;
  /** A generation neither kept nor discarded within this time lapses as a rejection. */
  readonly holdTimeoutMs: number;
  readonly defaultPolicy: ReservationPolicy;
  /** Plans whose policy differs from the default. */
  readonly planPolicies: Readonly<Record<string, ReservationPolicy>>;
}

export const STANDARD_RULES: CreditRules = {
  priceBook: STANDARD_PRICE_BOOK,
  holdTimeoutMs: 24 * 60 * 60 * 1000,
  defaultPolicy: 'reserve_kept_cost',
  planPolicies: {},
};

export function policyFor(rules: CreditRules, plan: string | null): ReservationPolicy {
  return (
    (plan !== null && Object.hasOwn(rules.planPolicies, plan)
      ? rules.planPolicies[plan]
      : undefined) ?? rules.defaultPolicy
  );
}
