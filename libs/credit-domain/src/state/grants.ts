import type { Allocation, GrantKind } from '../events';
import { amountOf } from '../value';
import { violated } from './assertions';
import { appended } from './lists';
import type { Grant } from './records';

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

export function insertGrant(grants: readonly Grant[], grant: Grant): Grant[] {
  const index = grants.findIndex((existing) => consumptionOrder(grant, existing) < 0);
  return index < 0
    ? [...grants, grant]
    : [...grants.slice(0, index), grant, ...grants.slice(index)];
}

/**
 * Takes up to `amount` unpinned credits from the grants usable at `atMs`, in consumption order.
 * Returns fewer than asked only when fewer are available.
 */
export function allocate(grants: readonly Grant[], amount: number, atMs: number): Allocation[] {
  let allocations: Allocation[] | undefined;
  let needed = amount;
  for (const grant of grants) {
    if (needed === 0) break;
    if (!isUsable(grant, atMs)) continue;
    const take = Math.min(unpinned(grant), needed);
    if (take > 0) {
      allocations = appended(allocations, { grantId: grant.grantId, credits: take });
      needed -= take;
    }
  }
  return allocations ?? [];
}

export function sumOf(allocations: readonly Allocation[]): number {
  let total = 0;
  for (const allocation of allocations) total += allocation.credits;
  return total;
}

/**
 * Moves credits of the named grants: `remaining` and `pinned` change by the given signs, and the
 * deferred value with `remaining` by the value the allocations carry. Every allocation names a
 * grant the account has, moves more than nothing, and leaves its grant with no fewer credits
 * than it has pinned, and none pinned below zero: checked always.
 */
export function moveCredits(
  grants: readonly Grant[],
  allocations: readonly Allocation[],
  remainingSign: -1 | 0 | 1,
  pinnedSign: -1 | 0 | 1,
): Grant[] {
  if (allocations.length === 0) return grants as Grant[];
  const moved = grants.slice();
  for (const allocation of allocations) {
    const { grantId, credits } = allocation;
    if (!(credits > 0)) violated(`${credits} credits moved on grant ${grantId}`);
    const index = moved.findIndex((grant) => grant.grantId === grantId);
    if (index < 0) violated(`credits moved on grant ${grantId}, which the account does not have`);
    const grant = moved[index]!;
    const remaining = grant.remaining + remainingSign * credits;
    const pinned = grant.pinned + pinnedSign * credits;
    if (pinned < 0 || remaining < pinned)
      violated(`grant ${grantId} would have ${remaining} credits left and ${pinned} pinned`);
    moved[index] = grantOf(
      grant,
      remaining,
      pinned,
      grant.deferred + remainingSign * amountOf(allocation),
    );
  }
  // A grant with nothing left and nothing pinned can pay for nothing again.
  return moved.some(isSpent) ? moved.filter((grant) => !isSpent(grant)) : moved;
}

/**
 * A grant of these fields and amounts, every field spelled out: a spread would give it a
 * different shape with most fields outside the object, slower to read and costlier to allocate.
 */
export function grantOf(
  grant: Omit<Grant, 'remaining' | 'pinned' | 'deferred'>,
  remaining: number,
  pinned: number,
  deferred: number,
  expiresAtMs = grant.expiresAtMs,
): Grant {
  return {
    grantId: grant.grantId,
    kind: grant.kind,
    sequence: grant.sequence,
    granted: grant.granted,
    remaining,
    pinned,
    usableFromMs: grant.usableFromMs,
    expiresAtMs,
    price: grant.price,
    deferred,
  };
}

/** The grants with this one ending at `atMs` if it ended later: a voided grant ends when voided. */
export function endedBy(grants: readonly Grant[], grantId: string, atMs: number): Grant[] {
  const index = grants.findIndex((grant) => grant.grantId === grantId);
  const grant = grants[index];
  if (!grant || grant.expiresAtMs <= atMs) return grants as Grant[];
  const others = [...grants.slice(0, index), ...grants.slice(index + 1)];
  return insertGrant(others, grantOf(grant, grant.remaining, grant.pinned, grant.deferred, atMs));
}

function isSpent(grant: Grant): boolean {
  return grant.remaining <= 0 && grant.pinned <= 0;
}

/** The first `amount` credits of a list of allocations, and the rest. */
export function splitAt(
  allocations: readonly Allocation[],
  amount: number,
): [Allocation[], Allocation[]] {
  let first: Allocation[] | undefined;
  let rest: Allocation[] | undefined;
  let left = amount;
  for (const allocation of allocations) {
    const take = Math.min(allocation.credits, left);
    if (take > 0) first = appended(first, { grantId: allocation.grantId, credits: take });
    if (allocation.credits > take)
      rest = appended(rest, { grantId: allocation.grantId, credits: allocation.credits - take });
    left -= take;
  }
  return [first ?? [], rest ?? []];
}
