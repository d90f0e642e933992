import type { CreditEvent } from '../events';
import type { CreditRules } from '../rules';
import { rolloverAtEnd, rolloverGrantId } from '../terms/rollover';
import { instantOf } from '../time';
import { valuedTakes } from '../value';
import { evolve } from './evolve';
import { grantsInConsumptionOrder, openInLapseOrder, unpinned, type ReferenceState } from './state';

/**
 * What time alone does to an account by `atMs`, in the order it happened: a hold neither kept nor
 * discarded lapses at its expiry, and a grant's unpinned credits lapse at its end. Credits pinned
 * past their grant's end and freed later lapse when freed: not before `sinceMs`. A hold lapsing
 * at the instant a grant ends goes first, so its credits end with the grant. At an allowance's
 * own end, what its plan rolls over goes first (once), then the rest lapses.
 */
export function dueEvents(
  rules: CreditRules,
  state: ReferenceState,
  atMs: number,
  sinceMs = -Infinity,
): { events: CreditEvent[]; state: ReferenceState } {
  const events: CreditEvent[] = [];
  let current = state;
  let cursorMs = sinceMs;
  for (;;) {
    const hold = openInLapseOrder(current)[0];
    const holdDueMs = hold && hold.holdExpiresAtMs <= atMs ? hold.holdExpiresAtMs : Infinity;
    let ending: { grantId: string; credits: number; dueMs: number } | undefined;
    for (const grant of grantsInConsumptionOrder(current)) {
      const dueMs = Math.max(grant.expiresAtMs, cursorMs);
      if (grant.expiresAtMs <= atMs && unpinned(grant) > 0 && dueMs < (ending?.dueMs ?? Infinity))
        ending = { grantId: grant.grantId, credits: unpinned(grant), dueMs };
    }
    let event: CreditEvent;
    if (hold && holdDueMs <= (ending?.dueMs ?? Infinity) && holdDueMs < Infinity) {
      event = {
        type: 'HoldLapsed',
        at: instantOf(holdDueMs),
        generationId: hold.generationId,
        released: hold.held,
        releasedTo: hold.heldFrom,
      };
      cursorMs = Math.max(cursorMs, holdDueMs);
    } else if (ending) {
      const grant = current.grants.get(ending.grantId)!;
      const rollover =
        ending.dueMs === grant.expiresAtMs &&
        !current.voidedGrantIds.has(grant.grantId) &&
        !current.grantIds.has(rolloverGrantId(grant.grantId))
          ? rolloverAtEnd(
              rules,
              grant,
              ending.credits,
              current.plan,
              current.terms,
              rolledOverAt(current, grant.expiresAtMs),
            )
          : null;
      if (rollover) {
        events.push(rollover);
        current = evolve(current, rollover);
        continue;
      }
      // A voided grant's credits freed by its holds are voided, not lapsed.
      const [[taken]] = valuedTakes([[ending]], () => grant);
      const common = {
        at: instantOf(ending.dueMs),
        grantId: ending.grantId,
        credits: ending.credits,
        ...(taken?.value ? { value: taken.value } : {}),
      };
      event = current.voidedGrantIds.has(ending.grantId)
        ? { type: 'CreditsVoided', ...common, stillPinned: grant.pinned }
        : { type: 'CreditsExpired', ...common };
      cursorMs = Math.max(cursorMs, ending.dueMs);
    } else {
      return { events, state: current };
    }
    events.push(event);
    current = evolve(current, event);
  }
}

/** Credits already rolled over at this instant, by allowances ending then: the cap is shared. */
function rolledOverAt(state: ReferenceState, endMs: number): number {
  let rolled = 0;
  for (const grant of state.grants.values())
    if (grant.kind === 'rollover' && grant.usableFromMs === endMs) rolled += grant.granted;
  return rolled;
}

/** When the next hold lapse or grant end falls due (epoch ms), or null when nothing will. */
export function nextDueAt(state: ReferenceState): number | null {
  let dueMs = Infinity;
  for (const generation of state.open.values()) dueMs = Math.min(dueMs, generation.holdExpiresAtMs);
  for (const grant of state.grants.values())
    if (unpinned(grant) > 0) dueMs = Math.min(dueMs, grant.expiresAtMs);
  return dueMs === Infinity ? null : dueMs;
}
