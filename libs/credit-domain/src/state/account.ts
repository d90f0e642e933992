import type { Allocation } from '../events';
import { STANDARD_MEMORY, type MemoryBounds } from '../credit-rules';
import { NO_TERMS, planInForce } from '../terms/account-terms';
import { valuedTakes } from '../value';
import type { AccountState } from './account-state';
import { violated } from './assertions';
import { ForwardMap } from './forward-map';
import { GenerationBook } from './generation-book';
import {
  allocate,
  endedBy,
  grantOf,
  insertGrant,
  isUsable,
  moveCredits,
  sumOf,
  unpinned,
} from './grants';
import type { CreditTotals, Grant, OpenGeneration, SettledGeneration } from './records';
import { copyOfState, successorOf, type NextAccountState } from './state-record';

export type * from './records';
export type { AccountState } from './account-state';
export type { NextAccountState } from './state-record';
export { isUsable, unpinned } from './grants';

/**
 * The account's state as the rules see it: the reads they decide from, and the writes evolve
 * makes. The structures behind it (grants in consumption order, the generation book, the
 * remembered ids) are built for folding long streams; the rules never reach past this module.
 *
 * Costs, with n grants not yet spent (a handful), g generations open or remembered (up to the
 * open-generation bound plus the settled memory), k remembered ids:
 * - a generation by id, an id remembered, the next hold to lapse: O(1);
 * - what is available: O(1) while every grant has started and none has ended, else O(n);
 * - picking credits, moving them, adding or ending a grant: O(n);
 * - opening or settling a generation, remembering an id: O(1) folding forwards; O(g) or O(k)
 *   once, when a write goes through an older state (a branch) or a log is compacted.
 */

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
    recordOnlySources: ForwardMap.empty(memory.recordOnlySourcesKept),
    totals: { granted: 0, charged: 0, lapsed: 0, removed: 0 },
    held: 0,
    latestUsableFromMs: -Infinity,
    terms: NO_TERMS,
    membersKept: memory.membersKept,
    eventCount: 0,
  });
}

export const initialAccountState: AccountState = emptyAccountState(STANDARD_MEMORY);

// --- Reads -----------------------------------------------------------------------------------

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

/** The plan in force at `atMs`: a downgrade waiting for its time, once it has come. */
export function planAt(state: AccountState, atMs: number): string | null {
  return planInForce(state.plan, state.terms, atMs);
}

/** Up to `credits` unpinned credits of the grants usable at `atMs`, in consumption order. */
export function pick(state: AccountState, credits: number, atMs: number): Allocation[] {
  return allocate(state.grants, credits, atMs);
}

/** The grant of this id, while it has credits left or pinned. */
export function grantNamed(state: AccountState, grantId: string): Grant | undefined {
  return state.grants.find((grant) => grant.grantId === grantId);
}

/** Allocations taken from the account's grants, in order, each with the value it takes. */
export function valued<const Lists extends readonly (readonly Allocation[])[]>(
  state: AccountState,
  lists: Lists,
) {
  return valuedTakes(lists, (grantId) => grantNamed(state, grantId));
}

/** The idempotency key of the wire event that granted this grant id, if one ever did. */
export function grantedBy(state: AccountState, grantId: string): string | undefined {
  return state.grantIds.get(grantId);
}

export function adjustedBy(state: AccountState, adjustmentId: string): string | undefined {
  return state.adjustmentIds.get(adjustmentId);
}

export function voidedBy(state: AccountState, grantId: string): string | undefined {
  return state.voidedGrantIds.get(grantId);
}

/** Whether this wire event left only a record (ignored, or an accept refused), while remembered. */
export function leftOnlyARecord(state: AccountState, sourceKey: string): boolean {
  return state.recordOnlySources.has(sourceKey);
}

export function openGeneration(
  state: AccountState,
  generationId: string,
): OpenGeneration | undefined {
  return state.generations.open(generationId);
}

/** What became of a settled generation, while it is remembered. */
export function settledGeneration(
  state: AccountState,
  generationId: string,
): SettledGeneration | undefined {
  return state.generations.settled(generationId);
}

/** The generation open or remembered as settled under this id. */
export function knownGeneration(
  state: AccountState,
  generationId: string,
): OpenGeneration | SettledGeneration | undefined {
  return state.generations.known(generationId);
}

export function openGenerationCount(state: AccountState): number {
  return state.generations.openCount;
}

/** Every open generation, the one whose hold lapses first first. */
export function openGenerations(state: AccountState): OpenGeneration[] {
  return [...state.generations.openGenerations()];
}

/** The open hold that lapses first, if any. */
export function nextHoldDue(state: AccountState): OpenGeneration | undefined {
  return state.generations.firstOpen();
}

/** Grants with credits left or pinned, in consumption order: the soonest to end first. */
export function grantsInConsumptionOrder(state: AccountState): readonly Grant[] {
  return state.grants;
}

/** Credits already rolled over at this instant, by allowances ending then: the cap is shared. */
export function rolledOverAt(state: AccountState, endMs: number): number {
  let rolled = 0;
  for (const grant of state.grants)
    if (grant.kind === 'rollover' && grant.usableFromMs === endMs) rolled += grant.granted;
  return rolled;
}

// --- Writes, for evolve: each on the successor of the state an event is folded into ----------

/** The state after one more event, to fill in before anyone else sees it. */
export const successor = successorOf;

type NewGrant = Omit<Grant, 'sequence' | 'remaining' | 'pinned' | 'deferred'>;

/** A grant added: usable from its start, in its place in the consumption order. */
export function addGrant(next: NextAccountState, grant: NewGrant, sourceKey: string | null): void {
  if (!(grant.granted > 0)) violated(`grant ${grant.grantId} of ${grant.granted} credits`);
  const sequence = next.grantSequence;
  next.grants = insertGrant(
    next.grants,
    grantOf({ ...grant, sequence }, grant.granted, 0, grant.price?.amount ?? 0),
  );
  next.grantSequence += 1;
  next.grantIds = next.grantIds.with(grant.grantId, sourceKey ?? '');
  next.latestUsableFromMs = Math.max(next.latestUsableFromMs, grant.usableFromMs);
  next.totals = addTotals(next.totals, { granted: grant.granted });
}

/** Credits taken from their grants for good: charged, lapsed (or rolled over), or removed. */
export function consume(
  next: NextAccountState,
  allocations: readonly Allocation[],
  as: 'charged' | 'lapsed' | 'removed',
): void {
  next.grants = moveCredits(next.grants, allocations, -1, 0);
  const credits = sumOf(allocations);
  if (as === 'charged') next.totals = addTotals(next.totals, { charged: credits });
  else if (as === 'lapsed') next.totals = addTotals(next.totals, { lapsed: credits });
  else next.totals = addTotals(next.totals, { removed: credits });
}

/** Credits reserved on their grants by a hold. */
export function pin(next: NextAccountState, allocations: readonly Allocation[]): void {
  next.grants = moveCredits(next.grants, allocations, 0, 1);
  next.held += sumOf(allocations);
}

/** A hold's credits freed on their grants (a discard, a lapse). */
export function unpin(next: NextAccountState, allocations: readonly Allocation[]): void {
  next.grants = moveCredits(next.grants, allocations, 0, -1);
  next.held -= sumOf(allocations);
  if (next.held < 0) violated(`${next.held} credits held`);
}

/** A hold's credits charged where they are pinned (an accept). */
export function capture(next: NextAccountState, allocations: readonly Allocation[]): void {
  next.grants = moveCredits(next.grants, allocations, -1, -1);
  const credits = sumOf(allocations);
  next.held -= credits;
  if (next.held < 0) violated(`${next.held} credits held`);
  next.totals = addTotals(next.totals, { charged: credits });
}

/** Charged credits given back to the grants that paid them (a refund). */
export function giveBack(next: NextAccountState, allocations: readonly Allocation[]): void {
  next.grants = moveCredits(next.grants, allocations, 1, 0);
  next.totals = addTotals(next.totals, { granted: sumOf(allocations) });
}

/** The grant ends at `atMs` if it ended later: a voided grant ends when voided. */
export function endGrant(next: NextAccountState, grantId: string, atMs: number): void {
  next.grants = endedBy(next.grants, grantId, atMs);
}

export function openGenerationIn(next: NextAccountState, generation: OpenGeneration): void {
  next.generations = next.generations.withOpened(generation);
}

/** The generation under this id remembered as settled: an open one leaves the open ones. */
export function settleGeneration(
  next: NextAccountState,
  generationId: string,
  record: SettledGeneration,
): void {
  next.generations = next.generations.withSettled(generationId, record);
}

/** This wire event left only a record: a redelivery leaves none. */
export function rememberRecord(next: NextAccountState, sourceKey: string): void {
  next.recordOnlySources = next.recordOnlySources.with(sourceKey, true);
}

export function rememberVoid(next: NextAccountState, grantId: string, sourceKey: string): void {
  if (!next.voidedGrantIds.has(grantId))
    next.voidedGrantIds = next.voidedGrantIds.with(grantId, sourceKey);
}

export function rememberAdjustment(
  next: NextAccountState,
  adjustmentId: string,
  sourceKey: string,
): void {
  next.adjustmentIds = next.adjustmentIds.with(adjustmentId, sourceKey);
}

function addTotals(totals: CreditTotals, change: Partial<CreditTotals>): CreditTotals {
  return {
    granted: totals.granted + (change.granted ?? 0),
    charged: totals.charged + (change.charged ?? 0),
    lapsed: totals.lapsed + (change.lapsed ?? 0),
    removed: totals.removed + (change.removed ?? 0),
  };
}
