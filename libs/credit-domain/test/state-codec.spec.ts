import fc from 'fast-check';
import {
  accountDecider,
  AccountStateFormatError,
  decodeAccountState,
  encodeAccountState,
  serializeAccountState,
  STANDARD_RULES,
  type AccountState,
  type CreditRules,
} from '../src';
import { FIELD_NAMES } from '../src/state/account-state';
import { historyPlan, longHistory } from './long-history';

const rules: CreditRules = {
  ...STANDARD_RULES,
  planPolicies: { team: 'reserve_generate_only' },
  maxOpenGenerations: 30,
  memory: { settledGenerationsKept: 50, recordOnlySourcesKept: 20, membersKept: 1_000 },
};

describe('the serialized account state (format 5)', () => {
  it('gives back an equal state, and folding on from it decides and reaches what folding on without it does', () => {
    const decider = accountDecider(rules, { assertInvariants: true });
    fc.assert(
      fc.property(
        historyPlan({ min: 400, max: 1_200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (plan, where) => {
          const commands = longHistory(plan);
          const cut = Math.floor(where * commands.length);
          let state: AccountState = decider.initialState;
          for (const command of commands.slice(0, cut))
            state = decider.decideAndEvolve(command, state).state;
          const text = encodeAccountState(state);
          let restored = decodeAccountState(text);
          expect(serializeAccountState(restored)).toEqual(serializeAccountState(state));
          expect(encodeAccountState(restored)).toBe(text);
          for (const command of commands.slice(cut)) {
            const onward = decider.decideAndEvolve(command, state);
            const fromRestored = decider.decideAndEvolve(command, restored);
            expect(fromRestored.events).toEqual(onward.events);
            state = onward.state;
            restored = fromRestored.state;
          }
          expect(serializeAccountState(restored)).toEqual(serializeAccountState(state));
          expect(restored.totals).toEqual(state.totals);
        },
      ),
      { numRuns: 20, endOnFailure: true },
    );
  });

  it('says which format it reads when given another, and refuses what is not a state', () => {
    const text = encodeAccountState(accountDecider().initialState);
    expect(() => decodeAccountState(text.replace('"format":5', '"format":4'))).toThrow(
      'account state format 4; this release reads format 5',
    );
    expect(() => decodeAccountState('{"format":5}')).toThrow(
      'not a readable account state: TypeError: the field grants is missing',
    );
    expect(() => decodeAccountState('not json')).toThrow(AccountStateFormatError);
  });

  it('refuses a state that breaks the credit invariants', () => {
    const decider = accountDecider();
    const granted = decider.decideAndEvolve(
      {
        type: 'PurchaseTopUp',
        at: '2026-11-01T00:00:00Z',
        source: { id: 'e1', producer: 'billing' },
        purchaseId: 'p1',
        credits: 5,
      },
      decider.initialState,
    ).state;
    const tampered = encodeAccountState(granted).replace('"remaining":5', '"remaining":7');
    expect(() => decodeAccountState(tampered)).toThrow(/granted 5 ≠ remaining 7/);
  });

  it('is every field of the state description, and every state is built with those fields in its order', () => {
    const state = accountDecider().initialState;
    expect(Object.keys(serializeAccountState(state))).toEqual(['format', ...FIELD_NAMES]);
    expect(Object.keys(state)).toEqual(FIELD_NAMES);
  });
});
