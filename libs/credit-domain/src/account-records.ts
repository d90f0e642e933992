import type { GenerationCharged, GrantKind } from './events';

/** What both deciders' states are made of. */

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
  /** Infinity for a grant that never ends. */
  readonly expiresAtMs: number;
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
> {
  readonly holdExpiresAtMs: number;
  /** The idempotency key of the request that opened it. */
  readonly requestedBy: string;
}

export type SettledStatus = 'kept' | 'discarded' | 'lapsed' | 'refused' | 'free';

export interface SettledGeneration {
  readonly status: SettledStatus;
  readonly requestedBy: string;
  /** The idempotency key of the accept or reject that settled it (null: a lapse, or at once). */
  readonly settledBy: string | null;
}
