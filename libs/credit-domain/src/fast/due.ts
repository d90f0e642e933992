import type { CreditEvent } from '../events';
import { STANDARD_RULES, type CreditRules } from '../rules';
import { rolloverAtEnd, rolloverGrantId } from '../terms/rollover';
import { evolve, fold } from './evolve';
import { appended } from './lists';
import { initialAccountState, nextHoldDue, unpinned, type AccountState } from './state';
import { instantOf, millisOf } from '../time';
import { valueTaken } from '../value';

/**
 * The hold lapses and grant ends due by `atMs`, in the order they happened, as events. Time only
 * moves when an event arrives (or the sweeper asks), so these are applied at the next event.
 * `sinceMs` is the earliest time an ended grant's freed credits can lapse (they were pinned until
 * then): a grant's unpinned credits lapse at the later of its end and `sinceMs`. At an
 * allowance's own end, what its plan rolls over under `rules` goes first, once.
 */
export function dueEvents(
  state: AccountState,
  atMs: number,
  sinceMs = -Infinity,
  rules: CreditRules = STANDARD_RULES,
): CreditEvent[] {
  return foldDue(rules, state, atMs, sinceMs).events;
}

/** `dueEvents`, and the state after them. */
export function foldDue(
  rules: CreditRules,
  state: AccountState,
  atMs: number,
  sinceMs = -Infinity,
): { events: CreditEvent[]; state: AccountState } {
  let events: CreditEvent[] | undefined;
  let current = state;
  let cursor = sinceMs;
  for (;;) {
    const nextHold = nextHoldDue(current);
    const holdDue =
      nextHold && nextHold.holdExpiresAtMs <= atMs ? nextHold.holdExpiresAtMs : Infinity;
    const holdId = holdDue < Infinity ? nextHold?.generationId : undefined;
    let grantDue = Infinity;
    let grantIndex = -1;
    // Grants are in consumption order, soonest end first: the rest end after `atMs` too.
    for (let index = 0; index < current.grants.length; index += 1) {
      const grant = current.grants[index]!;
      if (grant.expiresAtMs > atMs) break;
      if (unpinned(grant) > 0) {
        const due = Math.max(grant.expiresAtMs, cursor);
        if (due < grantDue) {
          grantDue = due;
          grantIndex = index;
        }
      }
    }
    let event: CreditEvent;
    // A hold lapsing at the same instant a grant ends goes first: its credits then end with the grant.
    if (holdId !== undefined && holdDue <= grantDue) {
      const generation = nextHold!;
      event = {
        type: 'HoldLapsed',
        at: instantOf(holdDue),
        generationId: holdId,
        released: generation.held,
        releasedTo: generation.heldFrom,
      };
      cursor = Math.max(cursor, holdDue);
    } else if (grantIndex >= 0) {
      const grant = current.grants[grantIndex]!;
      const credits = unpinned(grant);
      const rollover =
        grant.kind === 'allowance' &&
        grantDue === grant.expiresAtMs &&
        !current.voidedGrantIds.has(grant.grantId) &&
        !current.grantIds.has(rolloverGrantId(grant.grantId))
          ? rolloverAtEnd(
              rules,
              grant,
              credits,
              current.plan,
              current.terms,
              rolledOverAt(current, grantDue),
            )
          : null;
      if (rollover) {
        events = appended(events, rollover);
        current = evolve(current, rollover);
        continue;
      }
      const common = { at: instantOf(grantDue), grantId: grant.grantId, credits };
      const valued = grant.price
        ? {
            ...common,
            value: {
              amount: valueTaken(grant.deferred, grant.remaining, credits),
              currency: grant.price.currency,
            },
          }
        : common;
      // A voided grant's credits freed by its holds are voided, not lapsed.
      event = current.voidedGrantIds.has(grant.grantId)
        ? { type: 'CreditsVoided', ...valued, stillPinned: grant.pinned }
        : { type: 'CreditsExpired', ...valued };
      cursor = Math.max(cursor, grantDue);
    } else {
      return { events: events ?? [], state: current };
    }
    events = appended(events, event);
    current = evolve(current, event);
  }
}

/** Credits already rolled over at this instant, by allowances ending then: the cap is shared. */
function rolledOverAt(state: AccountState, endMs: number): number {
  let rolled = 0;
  for (const grant of state.grants)
    if (grant.kind === 'rollover' && grant.usableFromMs === endMs) rolled += grant.granted;
  return rolled;
}

/**
 * When the next hold lapse or grant end of this state falls due (epoch ms), or null when nothing
 * will: what a sweeper needs to know to come back in time for an idle account.
 */
export function nextDueMs(state: AccountState): number | null {
  let due = nextHoldDue(state)?.holdExpiresAtMs ?? Infinity;
  for (const grant of state.grants) {
    if (grant.expiresAtMs >= due) break;
    if (unpinned(grant) > 0) due = grant.expiresAtMs;
  }
  return due === Infinity ? null : due;
}

/**
 * The account as it stood at `atMs`: the ledger events that happened by then, and the lapses
 * and grant ends due by then. What finance's as-of balances and statements read. `start` is
 * where the fold begins: a state folded from events that all happened by `atMs` (a snapshot
 * whose latest event is at or before it), with `ledger` the events after them.
 */
export function stateAt(
  ledger: readonly CreditEvent[],
  atMs: number,
  start: AccountState = initialAccountState,
  rules: CreditRules = STANDARD_RULES,
): AccountState {
  const until = fold(
    ledger.filter((event) => millisOf(event.at) <= atMs),
    start,
  );
  return foldDue(rules, until, atMs).state;
}
