import type { AccountState } from './account-state';
import { InvariantViolation } from './assertions';

export { InvariantViolation } from './assertions';

/**
 * What every state must satisfy, whatever happened before it (the full check, which walks every
 * grant and open hold: on with the decider's `assertInvariants`; the cheap checks of each move
 * are always on, in `grants.ts` and `account.ts`):
 * - credits are conserved: granted = remaining + charged + lapsed + removed;
 * - nothing is overdrawn: no grant has fewer credits left than it has pinned, or fewer than none
 *   pinned, so what is available is never below zero at any instant;
 * - what is held is what the open holds pin: held = the sum of the open holds = the sum pinned;
 * - value is never made up: a grant's deferred value is between 0 and its price (0 when free).
 */
export function invariantViolations(state: AccountState): string[] {
  const violations: string[] = [];
  let remaining = 0;
  let pinned = 0;
  for (const grant of state.grants) {
    remaining += grant.remaining;
    pinned += grant.pinned;
    if (grant.pinned < 0 || grant.remaining < grant.pinned)
      violations.push(
        `grant ${grant.grantId} has ${grant.remaining} left and ${grant.pinned} pinned`,
      );
    if (grant.deferred < 0 || grant.deferred > (grant.price?.amount ?? 0))
      violations.push(
        `grant ${grant.grantId} has ${grant.deferred} deferred of a price of ${grant.price?.amount ?? 0}`,
      );
  }
  const { granted, charged, lapsed, removed } = state.totals;
  if (granted !== remaining + charged + lapsed + removed)
    violations.push(
      `granted ${granted} ≠ remaining ${remaining} + charged ${charged} + lapsed ${lapsed} + removed ${removed}`,
    );
  let openHolds = 0;
  for (const generation of state.generations.openGenerations()) openHolds += generation.held;
  if (state.held !== openHolds || state.held !== pinned)
    violations.push(`held ${state.held}, open holds ${openHolds}, pinned on grants ${pinned}`);
  return violations;
}

export function assertInvariants(state: AccountState): AccountState {
  const violations = invariantViolations(state);
  if (violations.length > 0)
    throw new InvariantViolation(
      `account state at event ${state.eventCount} breaks the credit invariants: ${violations.join('; ')}`,
    );
  return state;
}
