import type { Allocation, GenerationCharged, GrantKind } from './events';
import type { Money } from './money';
import type { MemberCharge } from './terms/account-terms';

/** What the account state is made of. */

/** Credits from one allowance, top-up or adjustment, and what is left of them. */
export interface Grant {
  readonly grantId: string;
  readonly kind: GrantKind;
  /** Grant order: the tie-breaker of the consumption order. */
  readonly sequence: number;
  readonly granted: number;
  /** Neither consumed nor lapsed; includes the pinned credits. */
  readonly remaining: number;
  /** Reserved by open holds: they stay with their hold even past the grant's end. */
  readonly pinned: number;
  readonly usableFromMs: number;
  /** Infinity for a grant that never ends; a voided grant ends when it is voided. */
  readonly expiresAtMs: number;
  /** The cost basis: null for free (promotional) credits. */
  readonly price: Money | null;
  /** What the credits left are still worth, in the price's minor units (see value.ts). */
  readonly deferred: number;
}

/** A generation charged and awaiting accept, reject or the lapse of its hold. */
export interface OpenGeneration extends Pick<
  GenerationCharged,
  | 'generationId'
  | 'editType'
  | 'resolution'
  | 'priceVersion'
  | 'generateCost'
  | 'acceptCost'
  | 'held'
  | 'heldFrom'
  | 'chargedFrom'
> {
  readonly holdExpiresAtMs: number;
  /** The idempotency key of the request that opened it. */
  readonly requestedBy: string;
  /** The agent it counts against, when a pooled account's agent asked for it. */
  readonly member?: MemberCharge;
}

export type SettledStatus = 'kept' | 'discarded' | 'lapsed' | 'refused' | 'free' | 'refunded';

export interface SettledGeneration {
  readonly status: SettledStatus;
  readonly requestedBy: string;
  /** The idempotency key of the accept or reject that settled it (null: a lapse, or at once). */
  readonly settledBy: string | null;
  /** What it paid from each grant, with value (charged ones only): what a refund gives back. */
  readonly paid?: readonly Allocation[];
  /** The idempotency key of the refund that gave its credits back. */
  readonly refundedBy?: string;
  /** The agent it counted against (what a refund gives back is theirs again). */
  readonly member?: MemberCharge;
}
