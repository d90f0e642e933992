import type { AccountCommand } from './commands';
import type { Decided } from './decided';
import type { CreditEvent } from './events';

export type { Decided } from './decided';
import { decideAndEvolve } from './rules/decide';
import { evolve } from './rules/evolve';
import { nextDueMs } from './rules/due';
import { assertInvariants } from './state/invariants';
import { availableCredits, emptyAccountState, type AccountState } from './state/account';
import { STANDARD_RULES, type CreditRules } from './credit-rules';

/**
 * An account decider bound to one set of rules: `decide`, `evolve` and `initialState`, with the
 * queries a writer and the sweeper need.
 */
export interface Decider<State> {
  readonly rules: CreditRules;
  readonly initialState: State;
  decide(command: AccountCommand, state: State): CreditEvent[];
  evolve(state: State, event: CreditEvent): State;
  /** `decide`, and the state after its events: what a writer needs, in one step. */
  decideAndEvolve(command: AccountCommand, state: State): Decided<State>;
  availableCredits(state: State, atMs: number): number;
  nextDueMs(state: State): number | null;
}

export type AccountDecider = Decider<AccountState>;

export interface DeciderOptions {
  /**
   * Check the credit invariants on every state reached (see `invariantViolations`): a state that
   * breaks them throws `InvariantViolation`, so nothing is appended after it. Off by default:
   * it walks the account's grants and open holds at every event.
   */
  readonly assertInvariants?: boolean;
}

/** The production decider. */
export function accountDecider(
  rules: CreditRules = STANDARD_RULES,
  options: DeciderOptions = {},
): AccountDecider {
  const checked = options.assertInvariants ? assertInvariants : (state: AccountState) => state;
  const decided = (command: AccountCommand, state: AccountState) => {
    const result = decideAndEvolve(rules, command, state);
    checked(result.state);
    return result;
  };
  return {
    rules,
    initialState: emptyAccountState(rules.memory),
    decide: (command, state) => decided(command, state).events,
    evolve: (state, event) => checked(evolve(state, event)),
    decideAndEvolve: decided,
    availableCredits,
    nextDueMs,
  };
}
