import type { Money } from '../money';

/**
 * What an account's owner and billing set, and what the rules count against it: agents' caps and
 * use, the low-balance threshold, automatic top-ups. Plain values, copied when they change: the
 * state keeps this one record, folded by `evolveTerms`.
 */
export interface AccountTerms {
  /** Agents with a cap, or who used credits in their current period, by member id. */
  readonly members: ReadonlyMap<string, MemberUsage>;
  /** The period of the latest allowance: agents' caps count per allowance period. */
  readonly period: AllowancePeriod | null;
  /** A downgrade waiting for the period's end. */
  readonly pendingPlan: PendingPlan | null;
  /** Set by BalanceThresholdSet; null: the plan's default, if any. */
  readonly balanceThreshold: number | null;
  /** A BalanceLow was recorded and no BalanceRestored since. */
  readonly balanceLow: boolean;
  readonly autoTopUp: AutoTopUpSettings | null;
  /** The request awaiting its top-up, if any. */
  readonly autoTopUpRequest: OutstandingTopUp | null;
  readonly autoTopUpsRequested: number;
}

export interface MemberUsage {
  /** Credits per period; null: no cap (pooled). */
  readonly cap: number | null;
  /** The start of the period `used` counts in (epoch ms). */
  readonly periodStartMs: number;
  /** Credits the agent's generations of that period took or hold. */
  readonly used: number;
}

export interface AllowancePeriod {
  readonly startMs: number;
  readonly endMs: number;
  /** What the allowance granted: what an upgrade's proration compares with. */
  readonly credits: number;
}

export interface PendingPlan {
  readonly plan: string;
  /** When it is in force (the end of the period the downgrade came in). */
  readonly fromMs: number;
}

export interface AutoTopUpSettings {
  readonly threshold: number;
  readonly credits: number;
  readonly price: Money | null;
}

export interface OutstandingTopUp {
  readonly requestId: string;
  readonly requestedAtMs: number;
}

/** Which agent a generation counted against, and in which of their periods. */
export interface MemberCharge {
  readonly memberId: string;
  readonly periodStartMs: number;
}

/** The plan in force at `atMs`: a pending downgrade once its time has come, else the account's. */
export function planInForce(plan: string | null, terms: AccountTerms, atMs: number): string | null {
  const pending = terms.pendingPlan;
  return pending !== null && atMs >= pending.fromMs ? pending.plan : plan;
}

export const NO_TERMS: AccountTerms = {
  members: new Map(),
  period: null,
  pendingPlan: null,
  balanceThreshold: null,
  balanceLow: false,
  autoTopUp: null,
  autoTopUpRequest: null,
  autoTopUpsRequested: 0,
};

/** The terms in plain JSON values: agents as [memberId, usage] in the order first seen. */
export interface SerializedTerms extends Omit<AccountTerms, 'members'> {
  readonly members: readonly (readonly [string, MemberUsage])[];
}

export function serializeTerms(terms: AccountTerms): SerializedTerms {
  return { ...terms, members: [...terms.members] };
}

export function deserializeTerms(form: SerializedTerms): AccountTerms {
  return { ...form, members: new Map(form.members) };
}
