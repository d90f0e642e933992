import type { ForwardMap } from './forward-map';
import type { GenerationBook } from './generation-book';
import type { AccountState } from './account-state';
import type { CreditTotals, Grant } from './records';
import type { AccountTerms } from '../terms/account-terms';

/**
 * Every account state is built by this one constructor, fields in one order: V8 then gives all
 * states one shape with every field inside the object. States built by spreading `{ ...state }`
 * had most fields in a separate property array, allocated again at every event.
 */
class AccountStateRecord implements AccountState {
  constructor(
    public grants: readonly Grant[],
    public grantSequence: number,
    public grantIds: ForwardMap<string>,
    public adjustmentIds: ForwardMap<string>,
    public voidedGrantIds: ForwardMap<string>,
    public plan: string | null,
    public generations: GenerationBook,
    public traceOnlySources: ForwardMap<true>,
    public totals: CreditTotals,
    public held: number,
    public latestUsableFromMs: number,
    public terms: AccountTerms,
    public membersKept: number,
    public eventCount: number,
  ) {}
}

/** A state writable until it is returned. */
export type NextAccountState = { -readonly [Field in keyof AccountState]: AccountState[Field] };

/** A copy of `state` in the one shape every state has, to change before anyone else sees it. */
export function copyOfState(state: AccountState): NextAccountState {
  return new AccountStateRecord(
    state.grants,
    state.grantSequence,
    state.grantIds,
    state.adjustmentIds,
    state.voidedGrantIds,
    state.plan,
    state.generations,
    state.traceOnlySources,
    state.totals,
    state.held,
    state.latestUsableFromMs,
    state.terms,
    state.membersKept,
    state.eventCount,
  );
}

/** The state after one more event, as a copy of `state` for evolve to fill in: evolve stays pure. */
export function successorOf(state: AccountState): NextAccountState {
  const next = copyOfState(state);
  next.eventCount += 1;
  return next;
}
