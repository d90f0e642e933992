import type { AccountCommand } from './commands';
import { decide } from './decide';
import type { CreditEvent } from './events';
import { evolve } from './evolve';
import { STANDARD_RULES, type CreditRules } from './rules';
import { initialAccountState, type AccountState } from './state';

/** The account decider in its usual shape, bound to one set of rules. */
export interface AccountDecider {
  readonly rules: CreditRules;
  readonly initialState: AccountState;
  decide(command: AccountCommand, state: AccountState): CreditEvent[];
  evolve(state: AccountState, event: CreditEvent): AccountState;
}

export function accountDecider(rules: CreditRules = STANDARD_RULES): AccountDecider {
  return {
    rules,
    initialState: initialAccountState,
    decide: (command, state) => decide(rules, command, state),
    evolve,
  };
}
