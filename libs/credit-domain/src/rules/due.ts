import type { CreditEvent } from '../events';
import type { CreditRules } from '../credit-rules';
import { rolloverAtEnd, rolloverGrantId } from '../terms/rollover';
import {
  grantedBy,
  grantsInConsumptionOrder,
  nextHoldDue,
  rolledOverAt,
  unpinned,
  voidedBy,
  type AccountState,
  type Grant,
} from '../state/account';
import { appended } from '../state/lists';
import { instantOf, millisOf } from '../time';
import { valueTaken } from '../value';
import { evolve } from './evolve';

/**
 * The hold lapses and grant ends due by `atMs`, in the order they happened, as events, and the
 * state after them. Time only moves when an event arrives (or the sweeper asks), so these are
 * applied at the next event. `sinceMs` is the earliest time an ended grant's freed credits can
 * lapse (they were pinned until then): a grant's unpinned credits lapse at the later of its end
 * and `sinceMs`. At an allowance's own end, what its plan rolls over goes first, once.
 */
export function foldDue(
  rules: CreditRules,
  state: AccountState,
  atMs: number,
  sinceMs = -Infinity,
): { events: readonly CreditEvent[]; state: AccountState } {
  let events: CreditEvent[] | undefined;
  let current = state;
  let cursorMs = sinceMs;
  for (;;) {
    const event = nextDue(rules, current, atMs, cursorMs);
    if (event === null) return { events: events ?? NOTHING_DUE, state: current };
    if (event.type !== 'CreditsRolledOver') cursorMs = Math.max(cursorMs, millisOf(event.at));
    events = appended(events, event);
    current = evolve(current, event);
  }
}

const NOTHING_DUE: readonly CreditEvent[] = Object.freeze([]);

/**
 * The first thing due by `atMs`: a hold lapsing, or a grant's unpinned credits ending (rolled
 * over first, at an allowance's own end). A hold lapsing at the instant a grant ends goes first:
 * its credits then end with the grant.
 */
function nextDue(
  rules: CreditRules,
  state: AccountState,
  atMs: number,
  cursorMs: number,
): CreditEvent | null {
  const next = nextHoldDue(state);
  const hold = next && next.holdExpiresAtMs <= atMs ? next : undefined;
  const holdDueMs = hold?.holdExpiresAtMs ?? Infinity;
  let ending: Grant | undefined;
  let endingMs = Infinity;
  for (const grant of grantsInConsumptionOrder(state)) {
    if (grant.expiresAtMs > atMs) break;
    if (unpinned(grant) === 0) continue;
    const dueMs = Math.max(grant.expiresAtMs, cursorMs);
    if (dueMs < endingMs) [ending, endingMs] = [grant, dueMs];
  }
  if (hold && holdDueMs <= endingMs)
    return {
      type: 'HoldLapsed',
      at: instantOf(holdDueMs),
      generationId: hold.generationId,
      released: hold.held,
      releasedTo: hold.heldFrom,
    };
  if (!ending) return null;
  const credits = unpinned(ending);
  const voided = voidedBy(state, ending.grantId) !== undefined;
  const rollover =
    ending.kind === 'allowance' &&
    endingMs === ending.expiresAtMs &&
    !voided &&
    grantedBy(state, rolloverGrantId(ending.grantId)) === undefined
      ? rolloverAtEnd(
          rules,
          ending,
          credits,
          state.plan,
          state.terms,
          rolledOverAt(state, endingMs),
        )
      : null;
  if (rollover) return rollover;
  const ended = { at: instantOf(endingMs), grantId: ending.grantId, credits };
  const valued = ending.price
    ? {
        ...ended,
        value: {
          amount: valueTaken(ending.deferred, ending.remaining, credits),
          currency: ending.price.currency,
        },
      }
    : ended;
  // A voided grant's credits freed by its holds are voided, not lapsed.
  return voided
    ? { type: 'CreditsVoided', ...valued, stillPinned: ending.pinned }
    : { type: 'CreditsExpired', ...valued };
}

/**
 * When the next hold lapse or grant end of this state falls due (epoch ms), or null when nothing
 * will: what a sweeper needs to know to come back in time for an idle account.
 */
export function nextDueMs(state: AccountState): number | null {
  let dueMs = nextHoldDue(state)?.holdExpiresAtMs ?? Infinity;
  for (const grant of grantsInConsumptionOrder(state)) {
    if (grant.expiresAtMs >= dueMs) break;
    if (unpinned(grant) > 0) dueMs = grant.expiresAtMs;
  }
  return dueMs === Infinity ? null : dueMs;
}
