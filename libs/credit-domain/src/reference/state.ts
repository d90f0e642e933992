import type { Grant, OpenGeneration, SettledGeneration } from '../account-records';
import type { GrantKind } from '../events';
import type { MemoryBounds } from '../rules';
import { NO_TERMS, type AccountTerms } from '../terms/account-terms';

export type * from '../account-records';

/**
 * The fold of an account's ledger, in plain values: maps in the order their entries were made,
 * copied whenever they change.
 */
export interface ReferenceState {
  readonly memory: MemoryBounds;
  /** Grants not yet spent, by id. */
  readonly grants: ReadonlyMap<string, Grant>;
  readonly grantsMade: number;
  /** Every grant id ever granted, with the idempotency key of the event that granted it. */
  readonly grantIds: ReadonlyMap<string, string>;
  readonly adjustmentIds: ReadonlyMap<string, string>;
  /** Every grant id ever voided, with the idempotency key of the void. */
  readonly voidedGrantIds: ReadonlyMap<string, string>;
  /** The plan of the latest allowance: it chooses the reservation policy. */
  readonly plan: string | null;
  /** Every open generation, in the order opened. */
  readonly open: ReadonlyMap<string, OpenGeneration>;
  /** The newest `memory.settledGenerationsKept` settled generations, oldest settled first. */
  readonly settled: ReadonlyMap<string, SettledGeneration>;
  /** The newest wire events that left only a record (oldest first), so a repeat adds none. */
  readonly traceOnlySources: ReadonlySet<string>;
  /** Agents' caps and use, the low-balance threshold, automatic top-ups. */
  readonly terms: AccountTerms;
  readonly eventCount: number;
}

export function initialReferenceState(memory: MemoryBounds): ReferenceState {
  return {
    memory,
    grants: new Map(),
    grantsMade: 0,
    grantIds: new Map(),
    adjustmentIds: new Map(),
    voidedGrantIds: new Map(),
    plan: null,
    open: new Map(),
    settled: new Map(),
    traceOnlySources: new Set(),
    terms: NO_TERMS,
    eventCount: 0,
  };
}

export function isUsable(grant: Grant, atMs: number): boolean {
  return grant.usableFromMs <= atMs && atMs < grant.expiresAtMs;
}

export function unpinned(grant: Grant): number {
  return grant.remaining - grant.pinned;
}

const KIND_ORDER: Record<GrantKind, number> = {
  rollover: 0,
  allowance: 1,
  top_up: 2,
  adjustment: 3,
  refund: 4,
};

/**
 * Soonest end first; at equal ends rollover before allowance before top-up before adjustment
 * before refund; then grant order.
 */
export function consumptionOrder(a: Grant, b: Grant): number {
  if (a.expiresAtMs !== b.expiresAtMs) return a.expiresAtMs < b.expiresAtMs ? -1 : 1;
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  return a.sequence - b.sequence;
}

export function grantsInConsumptionOrder(state: ReferenceState): Grant[] {
  return [...state.grants.values()].sort(consumptionOrder);
}

/** Unpinned credits of the grants usable at `atMs`. */
export function availableAt(state: ReferenceState, atMs: number): number {
  let available = 0;
  for (const grant of state.grants.values())
    if (isUsable(grant, atMs)) available += unpinned(grant);
  return available;
}

export function heldBy(state: ReferenceState): number {
  let held = 0;
  for (const generation of state.open.values()) held += generation.held;
  return held;
}

/** Open generations in the order their holds lapse: soonest first, then in the order opened. */
export function openInLapseOrder(state: ReferenceState): OpenGeneration[] {
  return [...state.open.values()].sort((a, b) => a.holdExpiresAtMs - b.holdExpiresAtMs);
}
