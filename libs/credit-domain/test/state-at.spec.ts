import fc from 'fast-check';
import {
  accountDecider,
  decodeAccountState,
  encodeAccountState,
  serializeAccountState,
  stateAt,
  STANDARD_RULES,
  type CreditEvent,
  type CreditRules,
} from '../src';
import { millisOf } from '../src/entries/instants';
import { historyPlan, longHistory } from './long-history';

const rules: CreditRules = {
  ...STANDARD_RULES,
  memory: { settledGenerationsKept: 40, recordOnlySourcesKept: 20, membersKept: 1_000 },
};

describe('the account as it stood at an instant', () => {
  it('from a snapshot whose events all happened by the instant, then the events after it, is the fold of the whole ledger', () => {
    const decider = accountDecider(rules);
    fc.assert(
      fc.property(
        historyPlan({ min: 200, max: 900 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (plan, where, when) => {
          let state = decider.initialState;
          const ledger: CreditEvent[] = [];
          for (const command of longHistory(plan)) {
            const decided = decider.decideAndEvolve(command, state);
            state = decided.state;
            ledger.push(...decided.events);
          }
          const times = ledger.map((event) => millisOf(event.at));
          const first = Math.min(...times);
          const atMs = Math.round(first + when * (Math.max(...times) - first));
          // A snapshot may be taken at any revision whose events all happened by the instant:
          // the longest such prefix, cut anywhere within it.
          let usable = 0;
          while (usable < ledger.length && (times[usable] as number) <= atMs) usable += 1;
          const cut = Math.floor(where * usable);
          let snapshot = decider.initialState;
          for (const event of ledger.slice(0, cut)) snapshot = decider.evolve(snapshot, event);
          const restored = decodeAccountState(encodeAccountState(snapshot));
          const fromSnapshot = stateAt(ledger.slice(cut), atMs, restored);
          const fromStart = stateAt(ledger, atMs, decider.initialState);
          expect(serializeAccountState(fromSnapshot)).toEqual(serializeAccountState(fromStart));
          expect(decider.availableCredits(fromSnapshot, atMs)).toBe(
            decider.availableCredits(fromStart, atMs),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});
