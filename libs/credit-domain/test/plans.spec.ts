import {
  STANDARD_PRICES,
  STANDARD_RULES,
  UndecidableCommandError,
  type CreditEvent,
  type CreditRules,
} from '../src';
import { Account, at, command, DAY } from './scenario';

/** A catalog with plans: pro rolls half its unused allowance over (at most 20), team a quarter (at most 50), lite nothing. */
const PLANS: CreditRules = {
  ...STANDARD_RULES,
  priceBook: {
    versions: [
      {
        ...STANDARD_PRICES,
        version: '2026-11-plans',
        plans: {
          lite: { allowanceCredits: 30, balanceThresholdCredits: 10 },
          pro: { allowanceCredits: 100, rollover: { fraction: 0.5, capCredits: 20 } },
          team: { allowanceCredits: 300, rollover: { fraction: 0.25, capCredits: 50 } },
        },
      },
    ],
  },
};

const NOV = at(0);
const DEC = at(30 * DAY);
const JAN = at(61 * DAY);
const ofType = <T extends CreditEvent['type']>(events: readonly CreditEvent[], type: T) =>
  events.filter((event): event is Extract<CreditEvent, { type: T }> => event.type === type);
/** `count` kept 1K edits (3 credits each) on day `day`. */
const keptEdits = (count: number, day: number, tag = 'g') =>
  Array.from({ length: count }, (_, index) => [
    command.generate(`${tag}${day}-${index}`, 'twilight', '1K', { at: at(day * DAY) }),
    command.accept(`${tag}${day}-${index}`, { at: at(day * DAY) }),
  ]).flat();

describe('rollover of unused allowance', () => {
  it('given a period with usage, when it ends, then half the unused allowance rolls into a grant used first next period, and the rest lapses as breakage', () => {
    const account = new Account(PLANS).given(
      command.allowance(100, {
        plan: 'pro',
        start: NOV,
        end: DEC,
        price: { amount: 10_000, currency: 'EUR' },
      }),
      ...keptEdits(22, 3),
    );
    const events = account.when(command.sweep(DEC));
    expect(events).toMatchObject([
      {
        type: 'CreditsRolledOver',
        grantId: `rollover:allowance:pro:${NOV}`,
        credits: 17,
        value: { amount: 1_700, currency: 'EUR' },
        usableFrom: DEC,
        expiresAt: at(60 * DAY),
      },
      { type: 'CreditsExpired', credits: 17, value: { amount: 1_700, currency: 'EUR' } },
    ]);
    account.when(command.allowance(100, { plan: 'pro', start: DEC, end: at(60 * DAY) }));
    const [charged] = account.when(
      command.generate('dec-1', 'twilight', '1K', { at: at(31 * DAY) }),
    );
    expect(charged).toMatchObject({
      chargedFrom: [{ grantId: `rollover:allowance:pro:${NOV}`, credits: 1 }],
      heldFrom: [{ grantId: `rollover:allowance:pro:${NOV}`, credits: 2 }],
    });
  });

  it('given a period without usage, when it ends, then the cap limits what rolls over (20 of 50)', () => {
    const account = new Account(PLANS).given(
      command.allowance(100, { plan: 'pro', start: NOV, end: DEC }),
    );
    expect(account.when(command.sweep(DEC))).toMatchObject([
      { type: 'CreditsRolledOver', credits: 20 },
      { type: 'CreditsExpired', credits: 80 },
    ]);
  });

  it('given rolled-over credits left unused, when the next period ends, then they lapse and only the new allowance rolls over: never compounded', () => {
    const account = new Account(PLANS).given(
      command.allowance(100, { plan: 'pro', start: NOV, end: DEC }),
      command.sweep(DEC),
      command.allowance(100, { plan: 'pro', start: DEC, end: JAN }),
    );
    const events = account.when(command.sweep(JAN));
    expect(ofType(events, 'CreditsRolledOver')).toMatchObject([
      { fromGrantId: `allowance:pro:${DEC}`, credits: 20 },
    ]);
    expect(ofType(events, 'CreditsExpired')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ grantId: `rollover:allowance:pro:${NOV}`, credits: 20 }),
      ]),
    );
    expect(account.available(JAN)).toBe(20);
  });

  it('given credits held at the period end, then only the unpinned ones count; those released later lapse', () => {
    const account = new Account(PLANS).given(
      command.allowance(10, { plan: 'pro', start: NOV, end: DEC }),
      command.generate('late', 'twilight', '1K', { at: at(30 * DAY - 1000) }),
    );
    expect(account.when(command.sweep(DEC))).toMatchObject([
      { type: 'CreditsRolledOver', credits: 3 },
      { type: 'CreditsExpired', credits: 4 },
    ]);
    expect(
      ofType(account.when(command.reject('late', { at: at(31 * DAY) })), 'CreditsExpired'),
    ).toMatchObject([{ credits: 2 }]);
  });
});

describe('plan changes mid-period', () => {
  it('given pro, when upgraded to team halfway through the period, then the difference is granted prorated at once and team is in force', () => {
    const account = new Account(PLANS).given(
      command.allowance(100, { plan: 'pro', start: NOV, end: DEC }),
    );
    const events = account.when(command.changePlan('team', at(15 * DAY)));
    expect(events).toMatchObject([
      {
        type: 'PlanChanged',
        plan: 'team',
        previousPlan: 'pro',
        change: 'upgrade',
        takesEffectAt: at(15 * DAY),
        proratedCredits: 100,
      },
      {
        type: 'CreditsGranted',
        grantId: `plan-change:team:${at(15 * DAY)}`,
        kind: 'allowance',
        credits: 100,
        expiresAt: DEC,
        plan: 'team',
      },
    ]);
    expect(account.available(at(15 * DAY))).toBe(200);
  });

  it('given an upgrade, when the period ends, then the new plan rolls over both grants within one cap', () => {
    const account = new Account(PLANS).given(
      command.allowance(100, { plan: 'pro', start: NOV, end: DEC }),
      command.changePlan('team', at(15 * DAY)),
    );
    const rolled = ofType(account.when(command.sweep(DEC)), 'CreditsRolledOver');
    // A quarter of each (25 and 25), 50 at most in all.
    expect(rolled.map((event) => event.credits)).toEqual([25, 25]);
    expect(rolled.every((event) => event.plan === 'team')).toBe(true);
  });

  it('given pro, when downgraded to lite, then pro stays in force to the period end, and the downgrade meets the rollover: lite rolls nothing over', () => {
    const account = new Account(PLANS).given(
      command.allowance(100, { plan: 'pro', start: NOV, end: DEC }),
    );
    expect(account.when(command.changePlan('lite', at(10 * DAY)))).toMatchObject([
      {
        type: 'PlanChanged',
        change: 'downgrade',
        previousPlan: 'pro',
        takesEffectAt: DEC,
        proratedCredits: 0,
      },
    ]);
    expect(account.available(at(10 * DAY))).toBe(100);
    // Lite is in force from the end: nothing rolls over, and its threshold (10) applies.
    expect(account.when(command.sweep(DEC))).toMatchObject([
      { type: 'CreditsExpired', credits: 100 },
      { type: 'BalanceLow', available: 0, threshold: 10 },
    ]);
  });

  it('given the same upgrade sent twice under two event ids, then it grants once: the second finds the plan in force', () => {
    const account = new Account(PLANS).given(
      command.allowance(100, { plan: 'pro', start: NOV, end: DEC }),
      command.changePlan('team', at(15 * DAY)),
    );
    expect(account.when(command.changePlan('team', at(15 * DAY)))).toMatchObject([
      { type: 'EventIgnored', reason: 'same_plan' },
    ]);
  });

  it('given a plan the catalog does not name, then it cannot be decided (the projector dead-letters it)', () => {
    const account = new Account(PLANS);
    expect(() => account.when(command.changePlan('platinum', NOV))).toThrow(
      UndecidableCommandError,
    );
    expect(() => account.when(command.changePlan('platinum', NOV))).toThrow(
      /plan: the catalog in force at .* has no plan "platinum"/,
    );
  });
});

describe("a plan's default low-balance threshold", () => {
  it('given lite (threshold 10) and no threshold of the account, when available falls below 10, then BalanceLow; an account threshold of its own wins', () => {
    const account = new Account(PLANS).given(
      command.allowance(30, { plan: 'lite', start: NOV, end: DEC }),
      ...keptEdits(6, 1),
    );
    expect(
      ofType(account.when(command.generate('x', 'twilight', '1K', { at: at(DAY) })), 'BalanceLow'),
    ).toMatchObject([{ available: 9, threshold: 10 }]);
    expect(
      ofType(account.when(command.threshold(5, { at: at(DAY) })), 'BalanceRestored'),
    ).toMatchObject([{ available: 9, threshold: 5 }]);
  });
});
