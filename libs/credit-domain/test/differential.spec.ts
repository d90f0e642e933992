import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import {
  accountDecider,
  assertInvariants,
  referenceDecider,
  STANDARD_RULES,
  type AccountCommand,
  type AccountView,
  type CreditRules,
} from '../src';
import { PLAN_RULES, planCommandSequence } from './arbitraries';
import { historyPlan, longHistory } from './long-history';
import { DAY } from './scenario';

/** The largest sizes a history reached, to show it crossed the fast state's thresholds. */
interface Reached {
  open: number;
  settled: number;
  traceOnlySources: number;
  grantIds: number;
  tooManyOpen: number;
  outOfOrderLapses: number;
}

/**
 * Runs one history through both deciders, step by step: the events of every command, and the
 * observable state, the available credits (now, a day on, a month on) and the next due time after
 * every command (or every `viewEvery` commands, and after the last) must be equal; the production
 * state keeps the credit invariants throughout.
 */
function compare(
  rules: CreditRules,
  commands: readonly AccountCommand[],
  reached: Reached,
  viewEvery = 1,
): void {
  const production = accountDecider(rules);
  const reference = referenceDecider(rules);
  let fast = production.initialState;
  let plain = reference.initialState;
  let lastLapseMs = -Infinity;
  for (const [step, command] of commands.entries()) {
    const decided = production.decideAndEvolve(command, fast);
    const expected = reference.decideAndEvolve(command, plain);
    if (!isDeepStrictEqual(decided.events, expected.events))
      expect({ step, command, events: decided.events }).toEqual({
        step,
        command,
        events: expected.events,
      });
    fast = assertInvariants(decided.state);
    plain = expected.state;
    for (const event of decided.events) {
      if (event.type === 'GenerationRefused' && event.reason === 'too_many_open_generations')
        reached.tooManyOpen += 1;
      if (event.type !== 'HoldLapsed') continue;
      if (Date.parse(event.at) < lastLapseMs) reached.outOfOrderLapses += 1;
      lastLapseMs = Date.parse(event.at);
    }
    if (step % viewEvery !== 0 && step !== commands.length - 1) continue;
    const view: AccountView = production.view(fast);
    const expectedView = reference.view(plain);
    if (!isDeepStrictEqual(view, expectedView))
      expect({ step, view }).toEqual({ step, view: expectedView });
    const atMs = Date.parse(command.at);
    for (const laterMs of [0, DAY, 30 * DAY])
      expect(production.availableCredits(fast, atMs + laterMs)).toBe(
        reference.availableCredits(plain, atMs + laterMs),
      );
    expect(production.nextDueMs(fast)).toBe(reference.nextDueMs(plain));
    reached.open = Math.max(reached.open, view.open.length);
    reached.settled = Math.max(reached.settled, view.settled.length);
    reached.traceOnlySources = Math.max(reached.traceOnlySources, view.traceOnlySources.length);
    reached.grantIds = Math.max(reached.grantIds, view.grantIds.length);
  }
}

const nothingReached = (): Reached => ({
  open: 0,
  settled: 0,
  traceOnlySources: 0,
  grantIds: 0,
  tooManyOpen: 0,
  outOfOrderLapses: 0,
});

describe('the production decider equals the reference decider over long histories', () => {
  it('with small memory bounds and a low open-generation bound, crossed many times over', () => {
    const rules: CreditRules = {
      ...STANDARD_RULES,
      planPolicies: { team: 'reserve_generate_only' },
      maxOpenGenerations: 20,
      memory: { settledGenerationsKept: 40, traceOnlySourcesKept: 24, membersKept: 1_000 },
    };
    const reached = nothingReached();
    // Busy accounts (short gaps, generous grants) reach every bound; the generated plans add
    // every other mix.
    const busy = [1, 2, 3].map((seed) => ({
      seed,
      commands: 2_000,
      generationIds: 150,
      redeliveredSoon: 0.1,
      redeliveredLate: 0.05,
      outOfOrder: 0.1,
      creditsPerGrant: 60,
      maxGapMs: 5 * 60 * 1000,
    }));
    for (const plan of busy) compare(rules, longHistory(plan), reached);
    fc.assert(
      fc.property(historyPlan({ min: 1_000, max: 2_000 }), (plan) =>
        compare(rules, longHistory(plan), reached, 2),
      ),
      { numRuns: 8, endOnFailure: true },
    );
    // Past every size the fast state changes its representation at (8 entries, 32 of slack, the
    // bounds), and past the open-generation bound.
    expect(reached.settled).toBe(40);
    expect(reached.traceOnlySources).toBe(24);
    expect(reached.open).toBe(20);
    expect(reached.grantIds).toBeGreaterThan(100);
    expect(reached.tooManyOpen).toBeGreaterThan(0);
    expect(reached.outOfOrderLapses).toBeGreaterThan(0);
  });

  it('with memory bounds below the size a small map turns into a log at', () => {
    const rules: CreditRules = {
      ...STANDARD_RULES,
      maxOpenGenerations: 5,
      memory: { settledGenerationsKept: 6, traceOnlySourcesKept: 5, membersKept: 1_000 },
    };
    const reached = nothingReached();
    fc.assert(
      fc.property(historyPlan({ min: 500, max: 1_000 }), (plan) =>
        compare(rules, longHistory(plan), reached),
      ),
      { numRuns: 6, endOnFailure: true },
    );
    expect(reached.settled).toBe(6);
    expect(reached.traceOnlySources).toBe(5);
  });

  it('with a catalog of plans: rollover, plan changes and plan thresholds', () => {
    const seen = new Map<string, number>();
    const decider = accountDecider(PLAN_RULES);
    fc.assert(
      fc.property(planCommandSequence, (commands) => {
        compare(PLAN_RULES, commands, nothingReached());
        let state = decider.initialState;
        for (const command of commands) {
          const decided = decider.decideAndEvolve(command, state);
          state = decided.state;
          for (const event of decided.events) seen.set(event.type, (seen.get(event.type) ?? 0) + 1);
        }
      }),
      { numRuns: 300 },
    );
    // The histories reach what they are for.
    for (const type of ['CreditsRolledOver', 'PlanChanged', 'BalanceLow', 'MemberCapSet'])
      expect([type, (seen.get(type) ?? 0) > 0]).toEqual([type, true]);
  });

  it('with the standard rules, past their memory bounds of 1,000', () => {
    const reached = nothingReached();
    fc.assert(
      fc.property(
        historyPlan({ min: 5_000, max: 5_000 }).map((plan) => ({
          ...plan,
          generationIds: 2_500,
          creditsPerGrant: 60,
        })),
        (plan) => compare(STANDARD_RULES, longHistory(plan), reached, 25),
      ),
      { numRuns: 1, endOnFailure: true },
    );
    expect(reached.settled).toBe(1_000);
    expect(reached.traceOnlySources).toBeGreaterThan(300);
  });
});
