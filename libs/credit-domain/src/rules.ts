import type { Resolution } from './pricing/edit-types';
import { priceAt, STANDARD_PRICE_BOOK, type Price, type PriceBook } from './pricing/price-book';

/**
 * How much a generation reserves. `reserve_kept_cost` (the default) charges the generate part and
 * holds the accept part, so whoever may generate can always afford to keep; `reserve_generate_only`
 * charges only the generate part, and an accept that cannot then be paid is refused.
 */
export type ReservationPolicy = 'reserve_kept_cost' | 'reserve_generate_only';

/**
 * How much of an account's history its state remembers to tell a redelivered event from a new
 * one: the newest settled generations (a repeated request, accept or reject finds what became of
 * its generation), and the newest wire events that left only a record. Open generations and
 * every grant and adjustment id are always remembered. Past these bounds a repeat is still
 * harmless within any Kafka redelivery window.
 */
export interface MemoryBounds {
  readonly settledGenerationsKept: number;
  readonly traceOnlySourcesKept: number;
}

export interface CreditRules {
  readonly priceBook: PriceBook;
  /** A generation neither kept nor discarded within this time lapses as a rejection. */
  readonly holdTimeoutMs: number;
  /** How long a refund grant (credits a refund gave back after their grants ended) lasts. */
  readonly refundGrantMs: number;
  readonly defaultPolicy: ReservationPolicy;
  /** Plans whose policy differs from the default. */
  readonly planPolicies: Readonly<Record<string, ReservationPolicy>>;
  /**
   * Generations one account may have open at once: a request past it is refused
   * (`too_many_open_generations`), so an account's state stays bounded however its editor
   * behaves. Far above what a busy brokerage opens within a hold's time.
   */
  readonly maxOpenGenerations: number;
  readonly memory: MemoryBounds;
}

export const STANDARD_MEMORY: MemoryBounds = {
  settledGenerationsKept: 1_000,
  traceOnlySourcesKept: 1_000,
};

export const STANDARD_RULES: CreditRules = {
  priceBook: STANDARD_PRICE_BOOK,
  holdTimeoutMs: 24 * 60 * 60 * 1000,
  refundGrantMs: 30 * 24 * 60 * 60 * 1000,
  defaultPolicy: 'reserve_kept_cost',
  planPolicies: {},
  maxOpenGenerations: 10_000,
  memory: STANDARD_MEMORY,
};

export function policyFor(rules: CreditRules, plan: string | null): ReservationPolicy {
  return (
    (plan !== null && Object.hasOwn(rules.planPolicies, plan)
      ? rules.planPolicies[plan]
      : undefined) ?? rules.defaultPolicy
  );
}

/** What a generation costs and what it needs available to be allowed. */
export interface GenerationRequirement {
  readonly price: Price;
  /** The generate part, plus the accept part when the plan reserves the kept cost. */
  readonly required: number;
}

/**
 * What a generation of this edit needs available at `atMs` on an account of `plan`: the one
 * rule the decider and the quota service's authorizations share. Undefined for an AI edit with
 * no resolution (it cannot be priced).
 */
export function requiredToGenerate(
  rules: CreditRules,
  plan: string | null,
  editType: string,
  resolution: Resolution | undefined,
  atMs: number,
): GenerationRequirement | undefined {
  const price = priceAt(rules.priceBook, editType, resolution, atMs);
  if (price === undefined) return undefined;
  const reserveAccept = policyFor(rules, plan) === 'reserve_kept_cost';
  return { price, required: price.generate + (reserveAccept ? price.accept : 0) };
}
