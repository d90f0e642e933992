import { serializeTerms } from '../terms/account-terms';
import { grantView, type AccountView } from '../view';
import type { AccountState } from './account-state';

/** What can be observed of a production state (see `AccountView`). */
export function viewOfAccount(state: AccountState): AccountView {
  const { open, settled } = state.generations.toJSON();
  return {
    grants: state.grants.map(grantView),
    grantsMade: state.grantSequence,
    grantIds: [...state.grantIds],
    adjustmentIds: [...state.adjustmentIds],
    voidedGrantIds: [...state.voidedGrantIds],
    plan: state.plan,
    open: open.map(([, generation]) => generation),
    settled,
    traceOnlySources: [...state.traceOnlySources].map(([key]) => key),
    terms: serializeTerms(state.terms),
    held: state.held,
    eventCount: state.eventCount,
  };
}
