import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { STANDARD_RULES, type AccountCommand, type CreditRules } from '@credits/domain';
import {
  commandSequence,
  PLAN_RULES,
  planCommandSequence,
  withRedeliveries,
} from '../../libs/credit-domain/test/arbitraries';
import { historyPlan, longHistory } from '../../libs/credit-domain/test/long-history';
import { CreditModel, ModelUndecidable } from './credit-model';
import { LedgerUnderTest } from './ledger-under-test';
import { STANDARD_MODEL_TERMS, type ModelTerms } from './model-terms';
import { outcome } from './outcomes';

/** What a history reached: it must cross every bound it is run for. */
interface Reached {
  open: number;
  tooManyOpen: number;
  forgotten: number;
  outOfOrderLapses: number;
  kinds: Set<string>;
}

const nothingReached = (): Reached => ({
  open: 0,
  tooManyOpen: 0,
  forgotten: 0,
  outOfOrderLapses: 0,
  kinds: new Set(),
});

/**
 * One history through the production decider and the credit model, command by command: what
 * each decides (reasons, amounts, which grants paid, what lapsed when), and then what can be
 * read of the account (available now, a day on and a month on; held; each grant's credits left,
 * pinned and deferred value; when something next falls due) must agree.
 */
function compare(
  rules: CreditRules,
  terms: ModelTerms,
  commands: readonly AccountCommand[],
  reached: Reached,
  observeEvery = 1,
): void {
  const ledger = new LedgerUnderTest(rules);
  const model = new CreditModel(terms);
  let lastLapseMs = -Infinity;
  const named = new Set<string>();
  for (const [step, command] of commands.entries()) {
    const decided = ledger.handle(command);
    let expected: string[];
    try {
      expected = model.handle(command);
    } catch (error) {
      if (!(error instanceof ModelUndecidable)) throw error;
      expected = [outcome.undecidable()];
    }
    if (decided.join('\n') !== expected.join('\n'))
      expect({ step, command, decided }).toEqual({ step, command, decided: expected });
    for (const line of decided) {
      reached.kinds.add(line.split(' ')[0]!);
      if (line.includes('too_many_open_generations')) reached.tooManyOpen += 1;
      const generationId = 'generationId' in command ? command.generationId : '';
      if (line.startsWith('charged ') || line.startsWith('refused ')) named.add(generationId);
      if (line === 'ignored unknown_generation' && named.has(generationId)) reached.forgotten += 1;
      if (!line.startsWith('lapsed ')) continue;
      const lapseMs = Date.parse(line.slice(line.indexOf('@') + 1));
      if (lapseMs < lastLapseMs) reached.outOfOrderLapses += 1;
      lastLapseMs = lapseMs;
    }
    reached.open = Math.max(reached.open, ledger.state.generations.openCount);
    if (step % observeEvery !== 0 && step !== commands.length - 1) continue;
    const atMs = Date.parse(command.at);
    const observed = ledger.observe(atMs);
    const modelled = model.observe(atMs);
    if (JSON.stringify(observed) !== JSON.stringify(modelled))
      expect({ step, observed }).toEqual({ step, observed: modelled });
  }
}

const GENERATE_ONLY_TEAM: CreditRules = {
  ...STANDARD_RULES,
  planPolicies: { team: 'reserve_generate_only' },
};

/** PLAN_RULES's catalog, stated again as the model's plans. */
const PLAN_MODEL: ModelTerms = {
  ...STANDARD_MODEL_TERMS,
  plans: {
    pro: { allowanceCredits: 8, rollover: { fraction: 0.5, capCredits: 5 } },
    lite: {
      allowanceCredits: 4,
      reserveGenerateOnly: true,
      balanceThresholdCredits: 3,
      rollover: { fraction: 1, capCredits: 2, periods: 2 },
    },
  },
};

/** How hard each property runs: `CREDITS_ORACLE_RUNS=quick` for the mutation runs below. */
const QUICK = process.env.CREDITS_ORACLE_RUNS === 'quick';

describe('the production decider agrees with the credit model', () => {
  it('on short histories of every command, with redeliveries', () => {
    const reached = nothingReached();
    fc.assert(
      fc.property(withRedeliveries, ({ delivered }) =>
        compare(
          GENERATE_ONLY_TEAM,
          { ...STANDARD_MODEL_TERMS, generateOnlyPlans: ['team'] },
          delivered,
          reached,
        ),
      ),
      { numRuns: QUICK ? 150 : 1_000 },
    );
    // What these short histories reach whatever the seed; kept and lapsed edits, rarer in them,
    // are the long histories' to reach (their fixed seeds make that certain).
    for (const kind of ['charged', 'refused', 'refunded', 'voided', 'removed'])
      expect([kind, reached.kinds.has(kind)]).toEqual([kind, true]);
  });

  it('with a catalog of plans: rollover, plan changes, plan thresholds, agents and top-ups', () => {
    const reached = nothingReached();
    fc.assert(
      fc.property(planCommandSequence, (commands) =>
        compare(PLAN_RULES, PLAN_MODEL, commands, reached),
      ),
      { numRuns: QUICK ? 100 : 1_000 },
    );
    for (const kind of ['rolled-over', 'plan', 'low', 'restored', 'auto-top-up', 'cap'])
      expect([kind, reached.kinds.has(kind)]).toEqual([kind, true]);
    expect(reached.kinds.has('refused')).toBe(true);
  });

  it('over long histories that cross the memory and open-generation bounds many times', () => {
    const rules: CreditRules = {
      ...GENERATE_ONLY_TEAM,
      maxOpenGenerations: 20,
      memory: { settledGenerationsKept: 40, recordOnlySourcesKept: 24, membersKept: 1_000 },
    };
    const terms: ModelTerms = {
      ...STANDARD_MODEL_TERMS,
      generateOnlyPlans: ['team'],
      maxOpenGenerations: 20,
      settledGenerationsKept: 40,
    };
    const reached = nothingReached();
    const busy = [1, 2, 3].map((seed) => ({
      seed,
      commands: QUICK ? 800 : 2_000,
      generationIds: 150,
      redeliveredSoon: 0.1,
      redeliveredLate: 0.05,
      outOfOrder: 0.1,
      creditsPerGrant: 60,
      maxGapMs: 5 * 60 * 1000,
      freshGenerations: 0.8,
      late: 0.02,
    }));
    // Holds that lapse, and late requests whose holds lapse before ones already lapsed.
    const lapsing = { ...busy[0]!, seed: 4, maxGapMs: 30 * 60 * 1000, late: 0.1 };
    for (const plan of [...busy, lapsing]) compare(rules, terms, longHistory(plan), reached);
    fc.assert(
      fc.property(
        historyPlan({ min: 1_000, max: 2_000 }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        (plan, fresh) =>
          compare(
            rules,
            terms,
            longHistory({ ...plan, freshGenerations: fresh, late: 0.02 }),
            reached,
            3,
          ),
      ),
      { numRuns: QUICK ? 3 : 8, endOnFailure: true },
    );
    expect(reached.open).toBe(20);
    expect(reached.tooManyOpen).toBeGreaterThan(0);
    expect(reached.outOfOrderLapses).toBeGreaterThan(0);
    expect(reached.forgotten).toBeGreaterThan(0);
    for (const kind of ['kept', 'discarded', 'lapsed'])
      expect([kind, reached.kinds.has(kind)]).toEqual([kind, true]);
  });

  it('with the standard rules, past their memory bound of 1,000 settled generations', () => {
    const reached = nothingReached();
    const plan = {
      seed: 7,
      commands: QUICK ? 2_000 : 5_000,
      generationIds: 2_500,
      redeliveredSoon: 0.05,
      redeliveredLate: 0.05,
      outOfOrder: 0.05,
      creditsPerGrant: 60,
      maxGapMs: 30 * 60 * 1000,
      freshGenerations: 0.7,
      late: 0.01,
    };
    compare(STANDARD_RULES, STANDARD_MODEL_TERMS, longHistory(plan), reached, 25);
    expect(reached.open).toBeGreaterThan(20);
    expect(reached.forgotten).toBeGreaterThan(0);
  });

  it('on a plain short history, checked at every step', () => {
    fc.assert(
      fc.property(commandSequence, (commands) =>
        compare(STANDARD_RULES, STANDARD_MODEL_TERMS, commands, nothingReached()),
      ),
      { numRuns: QUICK ? 100 : 300 },
    );
  });
});

/**
 * Rules changed in the domain alone. Each must make the tests above fail: the model states the
 * rules apart from the domain, so it does not follow. `npm run test:mutations` applies each in
 * turn, runs this file, and restores the source.
 */
const MUTATIONS: readonly { name: string; file: string; from: string; to: string }[] = [
  {
    name: 'the grant tie-break: top-ups before allowances ending together',
    file: 'libs/credit-domain/src/state/grants.ts',
    from: '  allowance: 1,\n  top_up: 2,',
    to: '  allowance: 2,\n  top_up: 1,',
  },
  {
    name: 'refund eligibility: a lapsed generation is not refunded',
    file: 'libs/credit-domain/src/rules/decide.ts',
    from: "    case 'lapsed':\n      return true;\n    case 'refused':",
    to: "      return true;\n    case 'lapsed':\n    case 'refused':",
  },
  {
    name: 'the 4K price: 2 to generate and 3 to keep',
    file: 'libs/credit-domain/src/pricing/price-book.ts',
    from: "'4K': { generate: 2, accept: 4 },",
    to: "'4K': { generate: 2, accept: 3 },",
  },
  {
    name: 'a hold timeout off by one',
    file: 'libs/credit-domain/src/rules/decide.ts',
    from: 'instantOf(atMs + rules.holdTimeoutMs)',
    to: 'instantOf(atMs + rules.holdTimeoutMs + 1)',
  },
  {
    name: 'a member cap checked after the credit check',
    file: 'libs/credit-domain/src/rules/generation-verdict.ts',
    from: '  if (capReached)\n    return {',
    to: "  if (available < required)\n    return { allowed: false, reason: 'insufficient_credits', price, required, available };\n  if (capReached)\n    return {",
  },
];

const ROOT = join(__dirname, '..', '..');

describe('the mutation list', () => {
  it.each(MUTATIONS)('still names code that is there: $name', ({ file, from }) => {
    expect(readFileSync(join(ROOT, file), 'utf8').split(from)).toHaveLength(2);
  });

  (process.env.CREDITS_MUTATIONS === '1' ? it.each(MUTATIONS) : it.skip.each(MUTATIONS))(
    'is caught: $name',
    ({ file, from, to }) => {
      const path = join(ROOT, file);
      const original = readFileSync(path, 'utf8');
      writeFileSync(path, original.replace(from, to));
      try {
        const run = spawnSync(
          process.execPath,
          [
            join(ROOT, 'node_modules/jest/bin/jest.js'),
            '--selectProjects',
            'unit',
            '--testPathPattern',
            'test/oracle/differential.spec.ts',
            '-t',
            'agrees with the credit model',
          ],
          {
            cwd: ROOT,
            encoding: 'utf8',
            env: { ...process.env, CREDITS_MUTATIONS: '0', CREDITS_ORACLE_RUNS: 'quick' },
          },
        );
        expect(run.status).not.toBe(0);
        // Failed by a disagreement, not by a history that no longer reaches its bounds.
        expect(run.stderr).toMatch(/Tests:\s+\d+ failed/);
        expect(run.stderr).toMatch(/(decided|observed): /);
      } finally {
        writeFileSync(path, original);
      }
    },
  );
});
