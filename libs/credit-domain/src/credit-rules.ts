import type { Resolution } from './pricing/edit-types';
import {
  planAt,
  priceAt,
  STANDARD_PRICE_BOOK,
  type Price,
  type PriceBook,
} from './pricing/price-book';

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
  readonly recordOnlySourcesKept: number;
  /**
   * Agents of a pooled account whose cap or use this period the state keeps: at most this many
   * capped agents (one more cap is ignored, `too_many_members`), and uncapped agents within the
   * same bound (past it an uncapped agent's use is pooled without being counted in the state).
   */
  readonly membersKept: number;
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
  /**
   * How long an automatic top-up request stays outstanding: until its top-up arrives or this
   * passes, no other is made.
   */
  readonly autoTopUpTimeoutMs: number;
  readonly memory: MemoryBounds;
}

export const STANDARD_MEMORY: MemoryBounds = {
  settledGenerationsKept: 1_000,
  recordOnlySourcesKept: 1_000,
  membersKept: 1_000,
};

export const STANDARD_RULES: CreditRules = {
  priceBook: STANDARD_PRICE_BOOK,
  holdTimeoutMs: 24 * 60 * 60 * 1000,
  refundGrantMs: 30 * 24 * 60 * 60 * 1000,
  defaultPolicy: 'reserve_kept_cost',
  planPolicies: {},
  maxOpenGenerations: 10_000,
  autoTopUpTimeoutMs: 30 * 60 * 1000,
  memory: STANDARD_MEMORY,
};

/** The plan's policy in the catalog version in force at `atMs`, else the rules' for the plan. */
export function policyFor(
  rules: CreditRules,
  plan: string | null,
  atMs: number,
): ReservationPolicy {
  return (
    planAt(rules.priceBook, plan, atMs)?.reservation ??
    (plan !== null && Object.hasOwn(rules.planPolicies, plan)
      ? rules.planPolicies[plan]
      : undefined) ??
    rules.defaultPolicy
  );
}

/** The low-balance threshold in force: the account's own, else its plan's, else 0 (none). */
export function balanceThresholdAt(
  rules: CreditRules,
  accountThreshold: number | null,
  plan: string | null,
  atMs: number,
): number {
  return accountThreshold ?? planAt(rules.priceBook, plan, atMs)?.balanceThresholdCredits ?? 0;
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
  const reserveAccept = policyFor(rules, plan, atMs) === 'reserve_kept_cost';
  return { price, required: price.generate + (reserveAccept ? price.accept : 0) };
}
