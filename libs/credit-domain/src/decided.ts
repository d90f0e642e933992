import type { CreditEvent } from './events';

/** The events a command causes, and the account's state after them. */
export interface Decided<State> {
  readonly events: CreditEvent[];
  readonly state: State;
}
