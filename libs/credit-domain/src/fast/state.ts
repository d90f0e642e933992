import { ForwardMap } from './forward-map';
import { GenerationBook } from './generation-book';
import type { AccountState } from './account-state';
import type { Grant, OpenGeneration } from './records';
import { STANDARD_MEMORY, type MemoryBounds } from '../rules';
import { copyOfState } from './state-record';
import { NO_TERMS } from '../terms/account-terms';

export type * from './records';
export type { AccountState } from './account-state';

/** The state of an account with no events, remembering as much as `memory` says. */
export function emptyAccountState(memory: MemoryBounds): AccountState {
  return copyOfState({
    grants: [],
    grantSequence: 0,
    grantIds: ForwardMap.empty(),
    adjustmentIds: ForwardMap.empty(),
    voidedGrantIds: ForwardMap.empty(),
    plan: null,
    generations: GenerationBook.empty(memory.settledGenerationsKept),
    traceOnlySources: ForwardMap.empty(memory.traceOnlySourcesKept),
    totals: { granted: 0, charged: 0, lapsed: 0, removed: 0 },
    held: 0,
    latestUsableFromMs: -Infinity,
    terms: NO_TERMS,
    membersKept: memory.membersKept,
    eventCount: 0,
  });
}

export const initialAccountState: AccountState = emptyAccountState(STANDARD_MEMORY);

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

/** Every open generation, the one whose hold lapses first first. */
export function openGenerations(state: AccountState): OpenGeneration[] {
  return state.generations.toJSON().open.map(([, generation]) => generation);
}

/** The open hold that lapses first, if any. */
export function nextHoldDue(state: AccountState): OpenGeneration | undefined {
  return state.generations.firstOpen();
}
