import type { GenerationCharged, GrantKind } from './events';
import { ForwardMap } from './forward-map';
import { GenerationBook } from './generation-book';
import { copyOfState } from './state-record';

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
  readonly requestedBy: string;
}

export type SettledStatus = 'kept' | 'discarded' | 'lapsed' | 'refused';

export interface SettledGeneration {
  readonly status: SettledStatus;
  readonly requestedBy: string;
  readonly settledBy: string | null;
}

export interface CreditTotals {
  readonly granted: number;
  readonly charged: number;
  readonly lapsed: number;
  readonly removed: number;
}

/**
 * How much of an account's history the state remembers to tell a redelivered event from a new
 * one. Open generations and every grant and adjustment id are always remembered. Beyond these
 * bounds a repeat is still harmless: a repeated generation id is ignored while its generation is
 * remembered, and one older than SETTLED_GENERATIONS_KEPT settled generations is far older than
 * any Kafka redelivery window.
 */
export const SETTLED_GENERATIONS_KEPT = 1_000;
export const TRACE_ONLY_SOURCES_KEPT = 1_000;

/** The fold of an account's stream. */
export interface AccountState {
  /** Usable and pinned grants in consumption order; spent ones are dropped. */
  readonly grants: readonly Grant[];
  readonly grantSequence: number;
  /** Every grant id ever granted, with the idempotency key of the event that granted it. */
  readonly grantIds: ForwardMap<string>;
  readonly adjustmentIds: ForwardMap<string>;
  /** The plan of the latest allowance: it chooses the reservation policy. */
  readonly plan: string | null;
  /**
   * Generations by id: every open one, in hold expiry order, soonest first (then in charge
   * order), so the next lapse is the first (a busy account may have thousands open within a
   * hold's time); and the newest SETTLED_GENERATIONS_KEPT settled ones.
   */
  readonly generations: GenerationBook;
  /** Wire events that left only a record (ignored or refused accepts), so a redelivery adds none. */
  readonly traceOnlySources: ForwardMap<true>;
  readonly totals: CreditTotals;
  /** Credits held by open generations (pinned on their grants), kept as events are folded. */
  readonly held: number;
  /** The latest start of any grant ever granted: before it, some grant may not be usable yet. */
  readonly latestUsableFromMs: number;
  /** How many events were folded: the stream revision the state stands at, plus one. */
  readonly eventCount: number;
}

export const initialAccountState: AccountState = copyOfState({
  grants: [],
  grantSequence: 0,
  grantIds: ForwardMap.empty(),
  adjustmentIds: ForwardMap.empty(),
  plan: null,
  generations: GenerationBook.empty(SETTLED_GENERATIONS_KEPT),
  traceOnlySources: ForwardMap.empty(TRACE_ONLY_SOURCES_KEPT),
  totals: { granted: 0, charged: 0, lapsed: 0, removed: 0 },
  held: 0,
  latestUsableFromMs: -Infinity,
  eventCount: 0,
});

export function isUsable(grant: Grant, atMs: number): boolean {
  return grant.usableFromMs <= atMs && atMs < grant.expiresAtMs;
}

export function unpinned(grant: Grant): number {
  return grant.remaining - grant.pinned;
}

/** Credits that can pay for something at `atMs`: unpinned credits of grants usable then. */
export function availableCredits(state: AccountState, atMs: number): number {
  // Usually every grant has started and none has ended (what was due lapsed first): then the
  // answer is what remains less what is held, both kept as events are folded.
  const soonestEndMs = state.grants[0]?.expiresAtMs ?? Infinity;
  if (state.latestUsableFromMs <= atMs && atMs < soonestEndMs) {
    const { granted, charged, lapsed, removed } = state.totals;
    return granted - charged - lapsed - removed - state.held;
  }
  let available = 0;
  for (const grant of state.grants) if (isUsable(grant, atMs)) available += unpinned(grant);
  return available;
}

/** Credits held by open generations: the credits their holds pin. */
export function heldCredits(state: AccountState): number {
  return state.held;
}

export function remainingCredits(state: AccountState): number {
  let remaining = 0;
  for (const grant of state.grants) remaining += grant.remaining;
  return remaining;
}

export function openGeneration(
  state: AccountState,
  generationId: string,
): OpenGeneration | undefined {
  return state.generations.open(generationId);
}

/** The open hold that lapses first, if any. */
export function nextHoldDue(state: AccountState): OpenGeneration | undefined {
  return state.generations.firstOpen();
}
