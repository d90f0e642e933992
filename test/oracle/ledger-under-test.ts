import {
  accountDecider,
  availableCredits,
  heldCredits,
  UndecidableCommandError,
  type AccountCommand,
  type AccountState,
  type CreditEvent,
  type CreditRules,
} from '@credits/domain';
import { claimsMade, withRecalled } from '@credits/domain/streams';
import { outcomeOf } from './ledger-outcomes';
import { grantLine, outcome, type Observed } from './outcomes';

/**
 * The production decider as the projector drives it, one account: the ledger's durable record
 * (claims) looked up before each command and written after it, the state folded by the decider,
 * every invariant checked. What it decides is read back as outcomes, for the credit model to
 * check.
 */
export class LedgerUnderTest {
  readonly #decider;
  #state: AccountState;
  readonly #claims = new Set<string>();
  readonly stream: CreditEvent[] = [];

  constructor(rules: CreditRules) {
    this.#decider = accountDecider(rules, { assertInvariants: true });
    this.#state = this.#decider.initialState;
  }

  get state(): AccountState {
    return this.#state;
  }

  handle(command: AccountCommand): string[] {
    let decided;
    try {
      decided = this.#decider.decideAndEvolve(
        withRecalled(command, (claim) => this.#claims.has(claim)),
        this.#state,
      );
    } catch (error) {
      if (error instanceof UndecidableCommandError) return [outcome.undecidable()];
      throw error;
    }
    for (const { claim } of claimsMade(command, decided.events)) this.#claims.add(claim);
    this.#state = decided.state;
    this.stream.push(...decided.events);
    return decided.events.map(outcomeOf);
  }

  observe(atMs: number): Observed {
    const state = this.#state;
    return {
      available: [0, DAY_MS, 30 * DAY_MS].map((laterMs) => availableCredits(state, atMs + laterMs)),
      held: heldCredits(state),
      grants: state.grants.map(grantLine).sort((a, b) => (a < b ? -1 : 1)),
      nextDueMs: this.#decider.nextDueMs(state),
    };
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
