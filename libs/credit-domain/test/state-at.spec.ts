import fc from 'fast-check';
import {
  accountDecider,
  assertInvariants,
  decodeAccountState,
  eventsBy,
  heldCredits,
  encodeAccountState,
  serializeAccountState,
  stateAt,
  STANDARD_RULES,
  type CreditEvent,
  type CreditRules,
} from '../src';
import { millisOf } from '../src/entries/instants';
import { historyPlan, longHistory } from './long-history';
import { Account, at, command, DAY } from './scenario';

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

  it('given histories whose times are out of stream order (late requests, accepts stamped before their requests, allowances granted after the period began), then the state at any instant keeps the credit invariants', () => {
    const decider = accountDecider(rules);
    fc.assert(
      fc.property(
        historyPlan({ min: 300, max: 900 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
        (plan, instants) => {
          let state = decider.initialState;
          const ledger: CreditEvent[] = [];
          for (const command of longHistory({ ...plan, late: 0.15, freshGenerations: 0.7 })) {
            const decided = decider.decideAndEvolve(command, state);
            state = decided.state;
            ledger.push(...decided.events);
          }
          const times = ledger.map((event) => millisOf(event.at));
          const first = Math.min(...times);
          for (const when of instants) {
            const atMs = Math.round(first + when * (Math.max(...times) - first));
            assertInvariants(stateAt(ledger, atMs));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('given an allowance granted after its period began, and a late request charged from it, then before the grant neither is there, and after it both are', () => {
    const account = new Account().given(
      command.allowance(10, { start: at(0), at: at(DAY), end: at(30 * DAY) }),
    );
    account.when(command.generate('g1', 'twilight', '1K', { at: at(DAY / 2) }));
    const before = stateAt(account.stream, DAY / 4 + millisOf(at(0)));
    expect(eventsBy(account.stream, millisOf(at(DAY / 2)))).toEqual([]);
    expect(decider().availableCredits(before, millisOf(at(DAY / 4)))).toBe(0);
    const after = stateAt(account.stream, millisOf(at(DAY)));
    expect(decider().availableCredits(after, millisOf(at(DAY)))).toBe(7);
  });

  it('given a generation id used again for a free edit, stamped before the instant, while its first use was settled only after it, then the second use is left out and the first stays open', () => {
    const forgetful: CreditRules = {
      ...STANDARD_RULES,
      memory: { settledGenerationsKept: 1, recordOnlySourcesKept: 1, membersKept: 1_000 },
    };
    const account = new Account(forgetful).given(command.topUp(10, { at: at(0) }));
    account.when(command.generate('g1', 'twilight', '1K', { at: at(1_000) }));
    account.when(command.accept('g1', { at: at(5_000) }));
    // g2 settled pushes g1 out of what the state remembers: g1 may be charged again.
    account.when(command.generate('g2', 'twilight', '1K', { at: at(5_100) }));
    account.when(command.reject('g2', { at: at(5_200) }));
    // A free edit draws on no grant: only its generation id ties it to the first use.
    account.when(command.generate('g1', 'crop', undefined, { at: at(3_000) }));
    expect(account.stream.filter((event) => event.type === 'GenerationCharged')).toHaveLength(3);
    const instant = millisOf(at(4_000));
    expect(eventsBy(account.stream, instant).map((event) => event.type)).toEqual([
      'CreditsGranted',
      'GenerationCharged',
    ]);
    const state = assertInvariants(stateAt(account.stream, instant, undefined, forgetful));
    expect(heldCredits(state)).toBe(2);
  });

  it('given a hold released after the instant, and a late request drawing on the credits it freed, then that request is left out with it', () => {
    const account = new Account().given(command.topUp(4, { at: at(0) }));
    account.when(command.generate('g1', 'twilight', '1K', { at: at(1_000) }));
    account.when(command.reject('g1', { at: at(5_000) }));
    account.when(command.generate('g2', 'twilight', '1K', { at: at(3_000) }));
    const types = eventsBy(account.stream, millisOf(at(4_000))).map((event) => event.type);
    expect(types).toEqual(['CreditsGranted', 'GenerationCharged']);
    const state = stateAt(account.stream, millisOf(at(4_000)));
    expect(account.stream.map((event) => event.type).at(-1)).toBe('GenerationCharged');
    expect(decider().availableCredits(state, millisOf(at(4_000)))).toBe(1);
    expect(heldCredits(state)).toBe(2);
  });

  it('given an accept stamped before its request, then at an instant between them neither is there', () => {
    const account = new Account().given(command.topUp(5, { at: at(0) }));
    account.when(command.generate('g1', 'twilight', '1K', { at: at(2_000) }));
    account.when(command.accept('g1', { at: at(1_000) }));
    expect(eventsBy(account.stream, millisOf(at(1_500)))).toEqual([account.stream[0]]);
    assertInvariants(stateAt(account.stream, millisOf(at(1_500))));
  });
});

const decider = () => accountDecider(rules);
