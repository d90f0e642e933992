import type { ForwardMap } from './forward-map';
import type { GenerationBook } from './generation-book';
import type { AccountState } from './account-state';
import type { CreditTotals, Grant } from './records';
import type { AccountTerms } from '../terms/account-terms';

/**
 * Every account state is built by this one constructor, which copies the fields of
 * `ACCOUNT_STATE_FIELDS` in its order: V8 then gives all states one shape with every field
 * inside the object, where a copy by spreading (`{ ...state }`) puts most of them in a property
 * array allocated again at every event. (A test holds its fields to the description's.) The
 * fields are `declare`d: emitted as class fields, each would be defined once more before the
 * constructor sets it.
 */
class AccountStateRecord implements AccountState {
  declare grants: readonly Grant[];
  declare grantSequence: number;
  declare grantIds: ForwardMap<string>;
  declare adjustmentIds: ForwardMap<string>;
  declare voidedGrantIds: ForwardMap<string>;
  declare plan: string | null;
  declare generations: GenerationBook;
  declare recordOnlySources: ForwardMap<true>;
  declare totals: CreditTotals;
  declare held: number;
  declare latestUsableFromMs: number;
  declare terms: AccountTerms;
  declare membersKept: number;
  declare eventCount: number;

  constructor(from: AccountState) {
    this.grants = from.grants;
    this.grantSequence = from.grantSequence;
    this.grantIds = from.grantIds;
    this.adjustmentIds = from.adjustmentIds;
    this.voidedGrantIds = from.voidedGrantIds;
    this.plan = from.plan;
    this.generations = from.generations;
    this.recordOnlySources = from.recordOnlySources;
    this.totals = from.totals;
    this.held = from.held;
    this.latestUsableFromMs = from.latestUsableFromMs;
    this.terms = from.terms;
    this.membersKept = from.membersKept;
    this.eventCount = from.eventCount;
  }
}

/** A state writable until it is returned. */
export type NextAccountState = { -readonly [Field in keyof AccountState]: AccountState[Field] };

/** A copy of `state` in the one shape every state has, to change before anyone else sees it. */
export function copyOfState(state: AccountState): NextAccountState {
  return new AccountStateRecord(state);
}

/** The state after one more event, as a copy of `state` for evolve to fill in: evolve stays pure. */
export function successorOf(state: AccountState): NextAccountState {
  const next = copyOfState(state);
  next.eventCount += 1;
  return next;
}
