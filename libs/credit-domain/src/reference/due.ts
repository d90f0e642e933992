import type { CreditEvent } from '../events';
import { instantOf } from '../time';
import { valuedTakes } from '../value';
import { evolve } from './evolve';
import { grantsInConsumptionOrder, openInLapseOrder, unpinned, type ReferenceState } from './state';

/**
 * What time alone does to an account by `atMs`, in the order it happened: a hold neither kept nor
 * discarded lapses at its expiry, and a grant's unpinned credits lapse at its end. Credits pinned
 * past their grant's end and freed later lapse when freed: not before `sinceMs`. A hold lapsing
 * at the instant a grant ends goes first, so its credits end with the grant.
 */
export function dueEvents(
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
      // A voided grant's credits freed by its holds are voided, not lapsed.
      const grant = current.grants.get(ending.grantId)!;
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

/** When the next hold lapse or grant end falls due (epoch ms), or null when nothing will. */
export function nextDueAt(state: ReferenceState): number | null {
  let dueMs = Infinity;
  for (const generation of state.open.values()) dueMs = Math.min(dueMs, generation.holdExpiresAtMs);
  for (const grant of state.grants.values())
    if (unpinned(grant) > 0) dueMs = Math.min(dueMs, grant.expiresAtMs);
  return dueMs === Infinity ? null : dueMs;
}
