import { List, Map as ImmutableMap } from 'immutable';
import type { GenerationCharged, GrantKind } from './events';

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
  readonly grantIds: ImmutableMap<string, string>;
  readonly adjustmentIds: ImmutableMap<string, string>;
  /** The plan of the latest allowance: it chooses the reservation policy. */
  readonly plan: string | null;
  readonly open: ImmutableMap<string, OpenGeneration>;
  /**
   * Open holds by expiry, soonest first, so finding the next lapse costs nothing. Entries of
   * settled generations are dropped from the front as they get there.
   */
  readonly holdQueue: List<HoldDue>;
  readonly settled: ImmutableMap<string, SettledGeneration>;
  readonly settledOrder: List<string>;
  /** Wire events that left only a record (ignored or refused accepts), so a redelivery adds none. */
  readonly traceOnlySources: ImmutableMap<string, true>;
  readonly traceOnlyOrder: List<string>;
  readonly totals: CreditTotals;
  /** How many events were folded: the stream revision the state stands at, plus one. */
  readonly eventCount: number;
}

export const initialAccountState: AccountState = {
  grants: [],
  grantSequence: 0,
  grantIds: ImmutableMap(),
  adjustmentIds: ImmutableMap(),
  plan: null,
  open: ImmutableMap(),
  holdQueue: List(),
  settled: ImmutableMap(),
  settledOrder: List(),
  traceOnlySources: ImmutableMap(),
  traceOnlyOrder: List(),
  totals: { granted: 0, charged: 0, lapsed: 0, removed: 0 },
  eventCount: 0,
};

export function isUsable(grant: Grant, atMs: number): boolean {
  return grant.usableFromMs <= atMs && atMs < grant.expiresAtMs;
}

export function unpinned(grant: Grant): number {
  return grant.remaining - grant.pinned;
}

/** Credits that can pay for something at `atMs`: unpinned credits of grants usable then. */
export function availableCredits(state: AccountState, atMs: number): number {
  let available = 0;
  for (const grant of state.grants) if (isUsable(grant, atMs)) available += unpinned(grant);
  return available;
}

export function heldCredits(state: AccountState): number {
  let held = 0;
  for (const generation of state.open.values()) held += generation.held;
  return held;
}

export function remainingCredits(state: AccountState): number {
  let remaining = 0;
  for (const grant of state.grants) remaining += grant.remaining;
  return remaining;
}

export interface HoldDue {
  readonly generationId: string;
  readonly dueMs: number;
}

function isCurrent(open: AccountState['open'], entry: HoldDue): boolean {
  return open.get(entry.generationId)?.holdExpiresAtMs === entry.dueMs;
}

/** The open hold that lapses first, if any. */
export function nextHoldDue(state: AccountState): HoldDue | undefined {
  return state.holdQueue.first();
}

export function enqueueHold(queue: List<HoldDue>, entry: HoldDue): List<HoldDue> {
  // Event times per account almost always grow, so the new hold nearly always goes last.
  let index = queue.size;
  while (index > 0 && (queue.get(index - 1) as HoldDue).dueMs > entry.dueMs) index -= 1;
  return index === queue.size ? queue.push(entry) : queue.insert(index, entry);
}

/** Drops queue entries of settled generations from the front, keeping the front current. */
export function dropSettledHolds(queue: List<HoldDue>, open: AccountState['open']): List<HoldDue> {
  let current = queue;
  while (current.size > 0 && !isCurrent(open, current.first() as HoldDue))
    current = current.shift();
  return current;
}
