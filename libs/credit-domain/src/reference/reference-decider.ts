import { serializeTerms } from '../terms/account-terms';
import type { Decider } from '../decider';
import { STANDARD_RULES, type CreditRules } from '../rules';
import { grantView, type AccountView } from '../view';
import { decide, fold } from './decide';
import { nextDueAt } from './due';
import { evolve } from './evolve';
import {
  availableAt,
  grantsInConsumptionOrder,
  heldBy,
  initialReferenceState,
  openInLapseOrder,
  type ReferenceState,
} from './state';

export type { ReferenceState } from './state';

/** The rules' specification as a decider: plain, no caches, no thresholds. */
export function referenceDecider(rules: CreditRules = STANDARD_RULES): Decider<ReferenceState> {
  return {
    rules,
    initialState: initialReferenceState(rules.memory),
    decide: (command, state) => decide(rules, command, state),
    evolve,
    decideAndEvolve: (command, state) => {
      const events = decide(rules, command, state);
      return { events, state: fold(events, state) };
    },
    view: viewOfReference,
    availableCredits: availableAt,
    nextDueMs: nextDueAt,
  };
}

export function viewOfReference(state: ReferenceState): AccountView {
  return {
    grants: grantsInConsumptionOrder(state).map(grantView),
    grantsMade: state.grantsMade,
    grantIds: [...state.grantIds],
    adjustmentIds: [...state.adjustmentIds],
    voidedGrantIds: [...state.voidedGrantIds],
    plan: state.plan,
    open: openInLapseOrder(state),
    settled: [...state.settled],
    traceOnlySources: [...state.traceOnlySources],
    terms: serializeTerms(state.terms),
    held: heldBy(state),
    eventCount: state.eventCount,
  };
}
