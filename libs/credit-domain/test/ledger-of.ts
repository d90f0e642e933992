import type { Decider } from '../src/decider';
import type { AccountCommand, CreditEvent } from '../src';

/** The ledger a decider writes for these commands, from its initial state. */
export function ledgerOf<State>(
  decider: Pick<Decider<State>, 'initialState' | 'decideAndEvolve'>,
  commands: readonly AccountCommand[],
): CreditEvent[] {
  let state = decider.initialState;
  const ledger: CreditEvent[] = [];
  for (const command of commands) {
    const decided = decider.decideAndEvolve(command, state);
    state = decided.state;
    ledger.push(...decided.events);
  }
  return ledger;
}
