import type { GenerationRefusalReason } from '../events';
import type { Resolution } from '../pricing/edit-types';
import type { Price } from '../pricing/price-book';
import { requiredToGenerate, type CreditRules } from '../credit-rules';
import type { AccountTerms } from '../terms/account-terms';
import { memberCapReached } from '../terms/members';

/** A generation asked for: the edit, and the agent of a pooled account who asks. */
export interface GenerationAsked {
  readonly editType: string;
  readonly resolution?: Resolution;
  readonly memberId?: string;
}

/** What the verdict reads of an account at the instant it is asked. */
export interface AccountStanding {
  /** The plan in force at that instant. */
  readonly plan: string | null;
  readonly terms: AccountTerms;
  readonly available: number;
  /** Generations open now; undefined where it is not known (the projector then decides it). */
  readonly openGenerations?: number;
}

export type GenerationVerdict =
  | {
      readonly allowed: true;
      readonly price: Price;
      /** What must be available: the generate part, and the accept part when it is reserved. */
      readonly required: number;
      readonly available: number;
    }
  | {
      readonly allowed: false;
      readonly reason: GenerationRefusalReason;
      readonly price: Price;
      readonly required: number;
      readonly available: number;
      /** For `member_cap_reached`: the agent's cap for the period, and what they used of it. */
      readonly cap?: number;
      readonly used?: number;
    };

/**
 * Whether an account may generate this edit at `atMs`, and if not why, with the amounts: the
 * one rule the decider and the quota service's authorizations both ask. In order:
 * 1. the agent's cap, whatever the pool holds;
 * 2. what is available;
 * 3. the bound on open generations (a free edit opens none).
 * Undefined for an AI edit with no resolution: it cannot be priced.
 */
export function generationVerdict(
  rules: CreditRules,
  account: AccountStanding,
  asked: GenerationAsked,
  atMs: number,
): GenerationVerdict | undefined {
  const requirement = requiredToGenerate(
    rules,
    account.plan,
    asked.editType,
    asked.resolution,
    atMs,
  );
  if (requirement === undefined) return undefined;
  const { price, required } = requirement;
  const { available } = account;
  const capReached = memberCapReached(account.terms, asked.memberId, required, atMs);
  if (capReached)
    return {
      allowed: false,
      reason: 'member_cap_reached',
      price,
      required,
      available,
      ...capReached,
    };
  if (available < required)
    return { allowed: false, reason: 'insufficient_credits', price, required, available };
  const free = price.generate + price.accept === 0;
  if (!free && (account.openGenerations ?? 0) >= rules.maxOpenGenerations)
    return { allowed: false, reason: 'too_many_open_generations', price, required, available };
  return { allowed: true, price, required, available };
}
