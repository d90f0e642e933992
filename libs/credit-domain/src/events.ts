import type { Money } from './money';
import type { Resolution } from './pricing/edit-types';
import type { SourceEvent } from './source';
import { millisOf, type Instant } from './time';

/** Credits taken from (or put back to) one grant. */
export interface Allocation {
  readonly grantId: string;
  readonly credits: number;
  /**
   * What those credits were worth, when the grant has a price: on what recognises, lapses,
   * voids, removes or refunds value (see value.ts). Absent on holds and releases, and for free
   * credits.
   */
  readonly value?: Money;
}

/**
 * `refund`: credits a refund gave back when the grants that paid for them had ended.
 * `rollover`: unused allowance carried into the next period (see CreditsRolledOver).
 */
export type GrantKind = 'allowance' | 'top_up' | 'adjustment' | 'refund' | 'rollover';

/**
 * The ledger: what the system decided, in the past tense. `at` is when it took effect (the wire
 * event's time, or the due time of a lapse). Events a wire event caused carry its `source`.
 */
interface EventBase {
  readonly at: Instant;
  readonly source?: SourceEvent;
  /**
   * On what a sweep of idle accounts recorded (ApplyDueExpiries): the sweeper's clock reading
   * that brought it due. `at` stays the due time; this says which reading of which clock decided
   * that the time had come, so a lapse recorded after a clock jump can be traced to it.
   */
  readonly sweptAt?: Instant;
}

export interface CreditsGranted extends EventBase {
  readonly type: 'CreditsGranted';
  readonly grantId: string;
  readonly kind: GrantKind;
  readonly credits: number;
  /** Not usable before this instant (an allowance's period start). */
  readonly usableFrom: Instant;
  readonly expiresAt: Instant | null;
  readonly plan?: string;
  /** The grant's cost basis, as its wire event gave it; absent for free (promotional) credits. */
  readonly price?: Money;
}

export interface GenerationCharged extends EventBase {
  readonly type: 'GenerationCharged';
  readonly generationId: string;
  readonly editType: string;
  readonly resolution: Resolution | null;
  readonly priceVersion: string;
  readonly generateCost: number;
  readonly acceptCost: number;
  readonly charged: number;
  readonly chargedFrom: readonly Allocation[];
  /** The accept part reserved now (0 when the plan reserves only the generate part). */
  readonly held: number;
  readonly heldFrom: readonly Allocation[];
  /**
   * When the hold lapses. A free edit holds nothing and opens no generation: its hold ends when
   * it starts (`holdExpiresAt` = `at`), and it is remembered as settled at once.
   */
  readonly holdExpiresAt: Instant;
  readonly availableAfter: number;
  /** The agent of a pooled account who asked for it: what it costs counts against their cap. */
  readonly memberId?: string;
}

/**
 * Whether a charge is a free edit's, which holds nothing and opens no generation: written with a
 * hold that ends as it starts. (Free edits charged before this rule opened a zero hold for a
 * hold's time; they fold as they did then.)
 */
export function opensNoGeneration(event: GenerationCharged): boolean {
  return (
    event.generateCost + event.acceptCost === 0 &&
    millisOf(event.holdExpiresAt) <= millisOf(event.at)
  );
}

export interface GenerationRefused extends EventBase {
  readonly type: 'GenerationRefused';
  readonly generationId: string;
  readonly editType: string;
  readonly resolution: Resolution | null;
  readonly priceVersion: string;
  readonly required: number;
  readonly available: number;
  /** `too_many_open_generations`: the account's open generations are at the rules' bound. */
  readonly reason: GenerationRefusalReason;
  readonly memberId?: string;
  /** For `member_cap_reached`: the agent's cap for the period, and what they had used of it. */
  readonly cap?: number;
  readonly used?: number;
}

/**
 * `member_cap_reached`: the agent's generations this period would pass their cap, whatever the
 * pool holds.
 */
export type GenerationRefusalReason =
  'insufficient_credits' | 'member_cap_reached' | 'too_many_open_generations';

export interface EditKept extends EventBase {
  readonly type: 'EditKept';
  readonly generationId: string;
  /** The hold captured. */
  readonly captured: number;
  readonly capturedFrom: readonly Allocation[];
  /** Charged at accept time (plans that reserve only the generate part). */
  readonly charged: number;
  readonly chargedFrom: readonly Allocation[];
}

export interface AcceptRefused extends EventBase {
  readonly type: 'AcceptRefused';
  readonly generationId: string;
  readonly required: number;
  readonly available: number;
  readonly reason: 'insufficient_credits';
}

export interface EditDiscarded extends EventBase {
  readonly type: 'EditDiscarded';
  readonly generationId: string;
  readonly released: number;
  readonly releasedTo: readonly Allocation[];
}

/** A generation neither kept nor discarded in time: settled as a rejection. */
export interface HoldLapsed extends EventBase {
  readonly type: 'HoldLapsed';
  readonly generationId: string;
  readonly released: number;
  readonly releasedTo: readonly Allocation[];
}

/** A grant's unused credits lapsed at its end: breakage, when they had value. */
export interface CreditsExpired extends EventBase {
  readonly type: 'CreditsExpired';
  readonly grantId: string;
  readonly credits: number;
  readonly value?: Money;
}

/**
 * A grant voided (a payment charged back, a grant made by mistake): its unpinned credits are
 * removed. Credits pinned by open holds stay with them; those freed later are removed then, by
 * another CreditsVoided (with no source and no reason), and those captured stay consumed.
 */
export interface CreditsVoided extends EventBase {
  readonly type: 'CreditsVoided';
  readonly grantId: string;
  readonly credits: number;
  readonly value?: Money;
  /** Credits of the grant still pinned by open holds after this. */
  readonly stillPinned: number;
  readonly reason?: string;
}

/** A grant made by a refund, for credits whose own grants had ended: same basis, its own end. */
export interface RefundGrant {
  readonly grantId: string;
  readonly credits: number;
  readonly price?: Money;
  readonly expiresAt: Instant;
}

/**
 * What a generation was charged, given back: to the grants that paid for them while those still
 * run, else to refund grants. Its value goes back to deferred revenue.
 */
export interface GenerationRefunded extends EventBase {
  readonly type: 'GenerationRefunded';
  readonly refundId: string;
  readonly generationId: string;
  readonly reason: string;
  readonly credits: number;
  readonly returnedTo: readonly Allocation[];
  readonly refundGrants: readonly RefundGrant[];
}

export interface CreditsAdjusted extends EventBase {
  readonly type: 'CreditsAdjusted';
  readonly adjustmentId: string;
  readonly reason: string;
  readonly requested: number;
  /** Positive adjustments become a grant of their own. */
  readonly grantId: string | null;
  readonly removed: number;
  readonly removedFrom: readonly Allocation[];
  /** What a removal could not take because it was not available (never a negative balance). */
  readonly shortfall: number;
}

export type IgnoredReason =
  | 'unknown_generation'
  | 'generation_refused'
  | 'already_kept'
  | 'already_discarded'
  | 'already_lapsed'
  | 'repeated_generation'
  | 'repeated_grant'
  | 'resolution_missing'
  /** An accept or reject of a free edit: nothing was held, so nothing changes. */
  | 'free_edit'
  | 'already_refunded'
  /**
   * A refund of a generation charged so long ago that the state no longer remembers what it
   * paid (past `settledGenerationsKept` settled generations since).
   */
  | 'generation_too_old'
  | 'unknown_grant'
  | 'already_voided'
  /** A cap for one more agent than the rules' bound on capped agents. */
  | 'too_many_members'
  /** A change to the plan already in force, with no other change waiting. */
  | 'same_plan';

/** An anomaly, recorded so it can be audited, that changes no balance. */
export interface EventIgnored extends EventBase {
  readonly type: 'EventIgnored';
  readonly command: string;
  readonly reason: IgnoredReason;
  readonly generationId?: string;
}

/**
 * At an allowance's end, the share of its unused credits the plan rolls over becomes a grant of
 * its own (kind `rollover`, consumed first among grants ending together), with the value those
 * credits still had: deferred revenue moves with them, none is recognised. The rest lapses.
 */
export interface CreditsRolledOver extends EventBase {
  readonly type: 'CreditsRolledOver';
  /** `rollover:<fromGrantId>` */
  readonly grantId: string;
  readonly fromGrantId: string;
  readonly credits: number;
  readonly value?: Money;
  readonly usableFrom: Instant;
  readonly expiresAt: Instant;
  /** The plan whose rule rolled them over. */
  readonly plan: string;
}

/**
 * The account's plan changed. An upgrade takes effect at `effectiveAt`, with the prorated
 * difference of the allowances granted at once (a CreditsGranted of kind allowance, id
 * `plan-change:<plan>:<effectiveAt>`); a downgrade at the end of the current period.
 */
export interface PlanChanged extends EventBase {
  readonly type: 'PlanChanged';
  readonly plan: string;
  readonly previousPlan: string | null;
  readonly change: 'upgrade' | 'downgrade';
  readonly effectiveAt: Instant;
  /** When the plan is in force: `effectiveAt` for an upgrade, the period's end for a downgrade. */
  readonly takesEffectAt: Instant;
  /** Credits the upgrade granted at once (0 for a downgrade). */
  readonly proratedCredits: number;
}

/** An agent's cap per allowance period, set (0 blocks every generation that costs credits). */
export interface MemberCapSet extends EventBase {
  readonly type: 'MemberCapSet';
  readonly memberId: string;
  readonly credits: number;
}

/** The account's low-balance threshold, set (0: no BalanceLow). */
export interface BalanceThresholdSet extends EventBase {
  readonly type: 'BalanceThresholdSet';
  readonly credits: number;
}

/** Automatic top-ups configured: `credits` when available falls below `threshold` (0: off). */
export interface AutoTopUpConfigured extends EventBase {
  readonly type: 'AutoTopUpConfigured';
  readonly threshold: number;
  readonly credits: number;
  readonly price?: Money;
}

/** Available credits fell below the account's threshold: published once per crossing. */
export interface BalanceLow extends EventBase {
  readonly type: 'BalanceLow';
  readonly available: number;
  readonly threshold: number;
}

/** Available credits are back at or above the threshold after a BalanceLow. */
export interface BalanceRestored extends EventBase {
  readonly type: 'BalanceRestored';
  readonly available: number;
  readonly threshold: number;
}

/**
 * Billing is asked to buy `credits` for the account. One is outstanding at a time: until a top-up
 * arrives, or the rules' timeout passes.
 */
export interface AutoTopUpRequested extends EventBase {
  readonly type: 'AutoTopUpRequested';
  /** Deterministic (`auto-top-up:<n>`, n counting the account's requests): billing's purchaseId. */
  readonly requestId: string;
  readonly credits: number;
  readonly price?: Money;
  readonly available: number;
  readonly threshold: number;
}

/** What the projector publishes on credit-notifications. */
export type NotificationEvent = BalanceLow | BalanceRestored | AutoTopUpRequested;

export type CreditEvent =
  | CreditsGranted
  | GenerationCharged
  | GenerationRefused
  | EditKept
  | AcceptRefused
  | EditDiscarded
  | HoldLapsed
  | CreditsExpired
  | CreditsAdjusted
  | CreditsVoided
  | GenerationRefunded
  | CreditsRolledOver
  | PlanChanged
  | MemberCapSet
  | BalanceThresholdSet
  | AutoTopUpConfigured
  | BalanceLow
  | BalanceRestored
  | AutoTopUpRequested
  | EventIgnored;

export type CreditEventType = CreditEvent['type'];

/** The ledger event of one type: `EventOf<'GenerationCharged'>`. */
export type EventOf<Type extends CreditEventType> = Extract<CreditEvent, { type: Type }>;

/** What a generation request was decided: charged, or refused. Each is stored once per request. */
export type GenerationDecision = EventOf<'GenerationCharged'> | EventOf<'GenerationRefused'>;

/** Whether an event is the decision of the generation `generationId`. */
export function isDecisionOf(generationId: string) {
  return (event: CreditEvent): event is GenerationDecision =>
    (event.type === 'GenerationCharged' || event.type === 'GenerationRefused') &&
    event.generationId === generationId;
}
