import type { Decider } from '../src/decider';
import fc from 'fast-check';
import {
  accountDecider,
  STANDARD_RULES,
  type AccountCommand,
  type CreditEvent,
  type CreditRules,
} from '../src';
import { claimsMade, claimsOfLedger, withRecalled } from '../src/entries/streams';
import { historyPlan, longHistory } from './long-history';
import { at, command } from './scenario';

interface Run {
  /** The events that change an account: every one but a record of something ignored or refused. */
  readonly changes: CreditEvent[];
  readonly available: number;
}

const changesAccount = (event: CreditEvent) =>
  event.type !== 'EventIgnored' && event.type !== 'AcceptRefused';

/**
 * A writer's loop: each command given what the durable record recalls of it, the claims its
 * events make recorded (or, with no record, nothing recalled at all).
 */
function run<State>(
  decider: Decider<State>,
  history: readonly AccountCommand[],
  record: 'durable' | 'none',
): Run {
  const claims = new Set<string>();
  let state = decider.initialState;
  const changes: CreditEvent[] = [];
  for (const next of history) {
    const given = record === 'durable' ? withRecalled(next, (claim) => claims.has(claim)) : next;
    const decided = decider.decideAndEvolve(given, state);
    state = decided.state;
    changes.push(...decided.events.filter(changesAccount));
    for (const { claim } of claimsMade(next, decided.events)) claims.add(claim);
  }
  const lastMs = Date.parse(history.at(-1)?.at ?? at(0));
  return { changes, available: decider.availableCredits(state, lastMs) };
}

const forgetful: CreditRules = {
  ...STANDARD_RULES,
  memory: { settledGenerationsKept: 3, recordOnlySourcesKept: 2, membersKept: 1_000 },
};
const unforgetting: CreditRules = {
  ...STANDARD_RULES,
  memory: {
    settledGenerationsKept: 1_000_000,
    recordOnlySourcesKept: 1_000_000,
    membersKept: 1_000,
  },
};

describe('the durable record makes what the state remembers only a shortcut', () => {
  it('given long histories with late redeliveries and reused generation ids, then a state that remembers almost nothing changes the account exactly as one that forgets nothing', () => {
    fc.assert(
      fc.property(historyPlan({ min: 300, max: 800 }), (plan) => {
        const history = longHistory({ ...plan, redeliveredLate: 0.1 + plan.redeliveredLate });
        const expected = run(accountDecider(unforgetting), history, 'durable');
        expect(run(accountDecider(forgetful), history, 'durable')).toEqual(expected);
      }),
      { numRuns: 15, endOnFailure: true },
    );
  });

  const history = (): AccountCommand[] => {
    const firstRequest = command.generate('g0', 'twilight', '1K', { at: at(1_000) });
    return [
      command.allowance(30, { at: at(0) }),
      firstRequest,
      command.accept('g0', { at: at(2_000) }),
      ...[1, 2, 3, 4].flatMap((n) => [
        command.generate(`g${n}`, 'twilight', '1K', { at: at(10_000 * n) }),
        command.reject(`g${n}`, { at: at(10_000 * n + 1) }),
      ]),
      // Long after it left what the state remembers: the same wire event, then a new one
      // reusing its generation id.
      { ...firstRequest, at: at(100_000) },
      command.generate('g0', 'twilight', '1K', { at: at(100_001) }),
    ];
  };

  it('given a request redelivered after its generation left the state, when the record recalls it, then it is not charged again', () => {
    const decider = accountDecider(forgetful);
    const durable = run(decider, history(), 'durable');
    const none = run(decider, history(), 'none');
    // Kept g0 (3) and four rejections (1 each) out of 30; without the record, the two late
    // requests are charged again.
    expect(durable.available).toBe(30 - 3 - 4);
    expect(none.available).toBeLessThan(durable.available);
  });
});

describe('claims a command makes', () => {
  it('given a request charged, then its source and generation id are claimed on the charge; given an accept of an unknown generation, then its source, on the record it leaves', () => {
    const decider = accountDecider();
    let state = decider.initialState;
    const grant = command.allowance(10, { at: at(0) });
    state = decider.decideAndEvolve(grant, state).state;
    const request = command.generate('g1', 'twilight', '1K', { at: at(1) });
    const charged = decider.decideAndEvolve(request, state);
    expect(claimsMade(request, charged.events)).toEqual([
      { eventIndex: 0, claim: `source\u001feditor\u001f${request.source.id}` },
      { eventIndex: 0, claim: 'generation\u001fg1' },
    ]);
    const stray = command.accept('nope', { at: at(2) });
    expect(claimsMade(stray, decider.decideAndEvolve(stray, charged.state).events)).toEqual([
      { eventIndex: 0, claim: `source\u001feditor\u001f${stray.source.id}` },
    ]);
  });
});

describe('claims of a stored ledger (a backfill)', () => {
  it('given long histories decided with the record, then the claims read from the stored events alone are the ones the writer made, on the same events', () => {
    fc.assert(
      fc.property(historyPlan({ min: 300, max: 800 }), (plan) => {
        const history = longHistory({ ...plan, redeliveredLate: 0.1 + plan.redeliveredLate });
        const decider = accountDecider(forgetful);
        const held = new Set<string>();
        const ledger: CreditEvent[] = [];
        const made: { eventIndex: number; claim: string }[] = [];
        let state = decider.initialState;
        for (const next of history) {
          const decided = decider.decideAndEvolve(
            withRecalled(next, (claim) => held.has(claim)),
            state,
          );
          state = decided.state;
          for (const { eventIndex, claim } of claimsMade(next, decided.events)) {
            held.add(claim);
            made.push({ eventIndex: ledger.length + eventIndex, claim });
          }
          ledger.push(...decided.events);
        }
        const byClaim = (a: { claim: string }, b: { claim: string }) =>
          a.claim < b.claim ? -1 : 1;
        expect([...claimsOfLedger(ledger)].sort(byClaim)).toEqual(made.sort(byClaim));
      }),
      { numRuns: 15, endOnFailure: true },
    );
  });
});
