import { amountOf, valueTaken } from '../src/value';
import fc from 'fast-check';
import { accountDecider, STANDARD_RULES, type Allocation, type CreditEvent } from '../src';
import { type Money } from '../src/entries/value';
import { withRedeliveries } from './arbitraries';
import { Account, at, command, DAY, START } from './scenario';

const EUR = (amount: number) => ({ amount, currency: 'EUR' });
const USD = (amount: number) => ({ amount, currency: 'USD' });
const ofType = <T extends CreditEvent['type']>(events: CreditEvent[], type: T) =>
  events.filter((event): event is Extract<CreditEvent, { type: T }> => event.type === type);

describe('what credits are worth: cost basis', () => {
  it('given a top-up of 3 credits for €10.00, when a 1K edit is generated and kept, then the charge takes €3.33 and the capture the €6.67 left', () => {
    const account = new Account().given(command.topUp(3, { purchaseId: 'p1', price: EUR(1000) }));
    const [charged] = account.when(command.generate('g1', 'twilight', '1K'));
    expect(charged).toMatchObject({
      chargedFrom: [{ grantId: 'top-up:p1', credits: 1, value: EUR(333) }],
      heldFrom: [{ grantId: 'top-up:p1', credits: 2 }],
    });
    expect(charged).not.toHaveProperty('heldFrom.0.value');
    const [kept] = account.when(command.accept('g1'));
    expect(kept).toMatchObject({
      capturedFrom: [{ grantId: 'top-up:p1', credits: 2, value: EUR(667) }],
    });
  });

  it('given a grant without a price, when its credits are charged, then they carry no value (promotional)', () => {
    const account = new Account().given(command.topUp(5, { purchaseId: 'free' }));
    const [charged] = account.when(command.generate('g1', 'twilight', '1K'));
    expect(charged).toMatchObject({ chargedFrom: [{ grantId: 'top-up:free', credits: 1 }] });
    expect(charged).not.toHaveProperty('chargedFrom.0.value');
  });

  it('given 100 credits for 1 cent, when they are charged one by one, then the cent is recognised by the last credit: never early, never lost', () => {
    const account = new Account().given(command.topUp(100, { purchaseId: 'p', price: EUR(1) }));
    const values: number[] = [];
    for (let index = 0; index < 100; index += 1) {
      const [event] = account.when(command.adjust(-1, { at: at(index) }));
      values.push(
        ...ofType([event!], 'CreditsAdjusted').map((e) => e.removedFrom[0]!.value!.amount),
      );
    }
    expect(values.slice(0, 99).every((amount) => amount === 0)).toBe(true);
    expect(values[99]).toBe(1);
  });

  it('given credits in two currencies, when a charge spans both grants, then each allocation carries its own currency', () => {
    const account = new Account().given(
      command.topUp(1, { purchaseId: 'eur', price: EUR(300), expiresAt: at(DAY) }),
      command.topUp(6, { purchaseId: 'usd', price: USD(600) }),
    );
    const [charged] = account.when(command.generate('g1', 'twilight', '4K'));
    expect(charged).toMatchObject({
      chargedFrom: [
        { grantId: 'top-up:eur', credits: 1, value: EUR(300) },
        { grantId: 'top-up:usd', credits: 1, value: USD(100) },
      ],
    });
  });

  it.each([
    [1_000_000_000_000, 7, 3],
    [999_999_999_999, 1_000_000_007, 999_999],
  ])(
    'given a price of %i over %i credits, when %i are taken, then the value is exact past 2^53',
    (price, credits, taken) => {
      const expected = (BigInt(price) * BigInt(taken)) / BigInt(credits);
      expect(valueTaken(price, credits, taken)).toBe(Number(expected));
    },
  );
});

describe('what credits are worth: breakage', () => {
  it('given an allowance of 10 credits for €50.00, when 3 are kept and the period ends, then the 7 left lapse with the €35.00 still deferred', () => {
    const account = new Account().given(
      command.allowance(10, { price: EUR(5000), end: at(30 * DAY) }),
      command.generate('g1', 'twilight', '1K'),
      command.accept('g1'),
    );
    const events = account.when(command.sweep(at(31 * DAY)));
    expect(events).toMatchObject([{ type: 'CreditsExpired', credits: 7, value: EUR(3500) }]);
  });

  it('given a hold, when the edit is discarded, then the release recognises nothing and the credits stay deferred', () => {
    const account = new Account().given(
      command.topUp(3, { purchaseId: 'p1', price: EUR(300), expiresAt: at(DAY) }),
      command.generate('g1', 'twilight', '1K'),
    );
    const [discarded] = account.when(command.reject('g1'));
    expect(discarded).toMatchObject({ releasedTo: [{ grantId: 'top-up:p1', credits: 2 }] });
    expect(discarded).not.toHaveProperty('releasedTo.0.value');
    expect(account.when(command.sweep(at(2 * DAY)))).toMatchObject([
      { type: 'CreditsExpired', credits: 2, value: EUR(200) },
    ]);
  });
});

describe('refund of a charge', () => {
  it('given a kept 1K edit paid from a running top-up, when it is refunded, then its 3 credits and their value go back to that top-up', () => {
    const account = new Account().given(
      command.topUp(10, { purchaseId: 'p1', price: EUR(1000) }),
      command.generate('g1', 'twilight', '1K'),
      command.accept('g1'),
    );
    expect(account.available()).toBe(7);
    const events = account.when(command.refund('g1', { refundId: 'r1' }));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'GenerationRefunded',
        refundId: 'r1',
        generationId: 'g1',
        reason: 'corrupt_result',
        credits: 3,
        returnedTo: [{ grantId: 'top-up:p1', credits: 3, value: EUR(300) }],
        refundGrants: [],
      }),
    ]);
    expect(account.available()).toBe(10);
    expect(account.state.grants[0]).toMatchObject({ remaining: 10, deferred: 1000 });
  });

  it('given a discarded edit, when it is refunded, then only the generate part comes back', () => {
    const account = new Account().given(
      command.topUp(10, { purchaseId: 'p1' }),
      command.generate('g1', 'twilight', '4K'),
      command.reject('g1'),
    );
    expect(account.when(command.refund('g1'))).toMatchObject([
      { type: 'GenerationRefunded', credits: 2, returnedTo: [{ credits: 2 }] },
    ]);
    expect(account.available()).toBe(10);
  });

  it('given an open generation, when it is refunded, then its hold is released and the generate part comes back: a later accept is ignored', () => {
    const account = new Account().given(
      command.topUp(10, { purchaseId: 'p1' }),
      command.generate('g1', 'twilight', '1K'),
    );
    expect(account.when(command.refund('g1'))).toMatchObject([
      { type: 'EditDiscarded', generationId: 'g1', released: 2 },
      { type: 'GenerationRefunded', credits: 1 },
    ]);
    expect(account.available()).toBe(10);
    expect(account.when(command.accept('g1'))).toMatchObject([
      { type: 'EventIgnored', reason: 'already_refunded' },
    ]);
  });

  it('given the grant that paid has ended, when the edit is refunded, then a refund grant with the same basis lasts REFUND_GRANT_DAYS and lapses as breakage', () => {
    const account = new Account().given(
      command.allowance(3, { price: EUR(900), end: at(DAY) }),
      command.generate('g1', 'twilight', '1K', { at: at(1) }),
      command.accept('g1', { at: at(2) }),
    );
    const refundAt = at(2 * DAY);
    const events = account.when(command.refund('g1', { at: refundAt }));
    expect(events).toMatchObject([
      {
        type: 'GenerationRefunded',
        credits: 3,
        returnedTo: [],
        refundGrants: [
          {
            grantId: `refund:g1:allowance:pro:${START}`,
            credits: 3,
            price: EUR(900),
            expiresAt: at(2 * DAY + STANDARD_RULES.refundGrantMs),
          },
        ],
      },
    ]);
    expect(account.available(refundAt)).toBe(3);
    expect(account.when(command.sweep(at(40 * DAY)))).toMatchObject([
      { type: 'CreditsExpired', grantId: `refund:g1:allowance:pro:${START}`, value: EUR(900) },
    ]);
  });

  it.each([
    ['an unknown generation', [], 'unknown_generation'],
    ['a refused generation', [command.generate('g1', 'twilight', '1K')], 'generation_refused'],
    ['a free edit', [command.generate('g1', 'crop')], 'free_edit'],
  ])('given %s, when it is refunded, then it is ignored with its reason', (_, given, reason) => {
    const account = new Account().given(...given);
    expect(account.when(command.refund('g1'))).toMatchObject([
      { type: 'EventIgnored', command: 'RefundCharge', reason, generationId: 'g1' },
    ]);
  });

  it('given a refunded generation, when another refund of it arrives, then it is ignored: a generation is refunded once', () => {
    const account = new Account().given(
      command.topUp(10, { purchaseId: 'p1' }),
      command.generate('g1', 'twilight', '1K'),
      command.accept('g1'),
      command.refund('g1', { refundId: 'r1' }),
    );
    expect(account.when(command.refund('g1', { refundId: 'r2' }))).toMatchObject([
      { type: 'EventIgnored', reason: 'already_refunded' },
    ]);
    expect(account.available()).toBe(10);
  });

  it('given a generation the state no longer remembers, when it is refunded, then the durable record tells it apart from one never made: too old, ignored', () => {
    const rules = {
      ...STANDARD_RULES,
      memory: { settledGenerationsKept: 1, recordOnlySourcesKept: 10, membersKept: 1_000 },
    };
    const account = new Account(rules).given(
      command.topUp(10, { purchaseId: 'p1' }),
      command.generate('g1', 'twilight', '1K'),
      command.accept('g1'),
      command.generate('g2', 'twilight', '1K'),
      command.accept('g2'),
    );
    const refund = command.refund('g1');
    expect(account.when(refund)).toMatchObject([{ reason: 'unknown_generation' }]);
    const recalled = { applied: false, generationIdUsed: true };
    expect(account.when({ ...command.refund('g1'), recalled })).toMatchObject([
      { type: 'EventIgnored', reason: 'generation_too_old', generationId: 'g1' },
    ]);
  });

  it('given a refund of a generation not yet requested, when it is delivered again after the generation, then it still changes nothing', () => {
    const refund = command.refund('g1');
    const account = new Account().given(command.topUp(10, { purchaseId: 'p1' }), refund);
    account.given(command.generate('g1', 'twilight', '1K'));
    expect(account.when(refund)).toEqual([]);
  });
});

describe('void of a grant', () => {
  it('given a paid top-up, when it is voided, then its unused credits and their value are removed; what was consumed stays consumed', () => {
    const account = new Account().given(
      command.topUp(10, { purchaseId: 'p1', price: EUR(1000) }),
      command.generate('g1', 'twilight', '1K'),
      command.accept('g1'),
    );
    expect(account.when(command.void('top-up:p1', { reason: 'chargeback' }))).toMatchObject([
      {
        type: 'CreditsVoided',
        grantId: 'top-up:p1',
        credits: 7,
        value: EUR(700),
        stillPinned: 0,
        reason: 'chargeback',
      },
    ]);
    expect(account.available()).toBe(0);
  });

  it('given credits pinned by a hold, when the grant is voided, then they stay with the hold: a discard voids them then, a keep consumes them', () => {
    const account = new Account().given(
      command.topUp(6, { purchaseId: 'p1', price: EUR(600) }),
      command.generate('g1', 'twilight', '1K', { at: at(1) }),
      command.generate('g2', 'twilight', '1K', { at: at(2) }),
    );
    expect(account.when(command.void('top-up:p1', { at: at(3) }))).toMatchObject([
      { type: 'CreditsVoided', credits: 0, stillPinned: 4 },
    ]);
    expect(account.when(command.reject('g1', { at: at(4) }))).toMatchObject([
      { type: 'EditDiscarded', released: 2 },
      { type: 'CreditsVoided', credits: 2, value: EUR(200), stillPinned: 2, at: at(4) },
    ]);
    expect(account.when(command.accept('g2', { at: at(5) }))).toMatchObject([
      { type: 'EditKept', captured: 2, capturedFrom: [{ credits: 2, value: EUR(200) }] },
    ]);
    expect(account.state.grants).toEqual([]);
  });

  it.each([
    ['an unknown grant', [], 'unknown_grant'],
    [
      'a grant already voided',
      [command.topUp(1, { purchaseId: 'p1' }), command.void('top-up:p1')],
      'already_voided',
    ],
  ])('given %s, when it is voided, then it is ignored with its reason', (_, given, reason) => {
    const account = new Account().given(...given);
    expect(account.when(command.void('top-up:p1'))).toMatchObject([
      { type: 'EventIgnored', command: 'VoidGrant', reason },
    ]);
  });

  it('given a voided grant, when a generation it paid for is refunded, then the credits go to a refund grant, not back to the voided grant', () => {
    const account = new Account().given(
      command.topUp(10, { purchaseId: 'p1', price: EUR(1000) }),
      command.generate('g1', 'twilight', '1K'),
      command.accept('g1'),
      command.void('top-up:p1'),
    );
    expect(account.when(command.refund('g1'))).toMatchObject([
      { type: 'GenerationRefunded', returnedTo: [], refundGrants: [{ price: EUR(300) }] },
    ]);
  });
});

/** Value moved by a ledger, per grant, from its events alone: an oracle apart from the deciders. */
function valueLedger(events: readonly CreditEvent[]) {
  const grants = new Map<string, { price: number; currency: string; net: number }>();
  const perCurrency = new Map<string, Record<'sold' | 'refunded' | 'taken', number>>();
  const totals = (currency: string) => {
    const entry = perCurrency.get(currency) ?? { sold: 0, refunded: 0, taken: 0 };
    perCurrency.set(currency, entry);
    return entry;
  };
  const negative: string[] = [];
  const move = (grantId: string, value: Money | undefined, sign: 1 | -1) => {
    if (!value) return;
    if (value.amount < 0) negative.push(`${grantId}: ${value.amount}`);
    const grant = grants.get(grantId)!;
    expect(grant.currency).toBe(value.currency);
    grant.net += sign * value.amount;
    if (sign < 0) totals(value.currency).taken += value.amount;
    else totals(value.currency).refunded += value.amount;
  };
  const paid = new Map<string, number>();
  const refundedValue = new Map<string, number>();
  const addPaid = (generationId: string, allocations: readonly Allocation[]) =>
    paid.set(
      generationId,
      (paid.get(generationId) ?? 0) + allocations.reduce((sum, a) => sum + amountOf(a), 0),
    );
  for (const event of events) {
    switch (event.type) {
      case 'CreditsGranted':
        if (event.price) {
          grants.set(event.grantId, {
            price: event.price.amount,
            currency: event.price.currency,
            net: 0,
          });
          totals(event.price.currency).sold += event.price.amount;
        } else grants.set(event.grantId, { price: 0, currency: '', net: 0 });
        break;
      case 'GenerationCharged':
        for (const a of event.chargedFrom) move(a.grantId, a.value, -1);
        addPaid(event.generationId, event.chargedFrom);
        break;
      case 'EditKept':
        for (const a of [...event.capturedFrom, ...event.chargedFrom]) move(a.grantId, a.value, -1);
        addPaid(event.generationId, [...event.capturedFrom, ...event.chargedFrom]);
        break;
      case 'CreditsExpired':
      case 'CreditsVoided':
        move(event.grantId, event.value, -1);
        break;
      case 'CreditsAdjusted':
        if (event.grantId !== null) grants.set(event.grantId, { price: 0, currency: '', net: 0 });
        for (const a of event.removedFrom) move(a.grantId, a.value, -1);
        break;
      case 'GenerationRefunded': {
        for (const a of event.returnedTo) move(a.grantId, a.value, 1);
        for (const g of event.refundGrants) {
          grants.set(g.grantId, {
            price: g.price?.amount ?? 0,
            currency: g.price?.currency ?? '',
            net: 0,
          });
          if (g.price) totals(g.price.currency).refunded += g.price.amount;
        }
        const value =
          event.returnedTo.reduce((sum, a) => sum + amountOf(a), 0) +
          event.refundGrants.reduce((sum, g) => sum + (g.price?.amount ?? 0), 0);
        refundedValue.set(event.generationId, value);
        break;
      }
      default:
        break;
    }
  }
  return { grants, perCurrency, negative, paid, refundedValue };
}

describe('what credits are worth, over generated histories', () => {
  it('for every grant, price − value taken + value given back = what is still deferred; per currency, sold + refunded − taken = deferred; no value is negative; a refund gives back exactly what its generation paid', () => {
    const decider = accountDecider();
    fc.assert(
      fc.property(withRedeliveries, ({ delivered }) => {
        let state = decider.initialState;
        const ledger: CreditEvent[] = [];
        for (const c of [...delivered, command.sweep(at(400 * DAY))]) {
          const decision = decider.decideAndEvolve(c, state);
          ledger.push(...decision.events);
          state = decision.state;
        }
        const { grants, perCurrency, negative, paid, refundedValue } = valueLedger(ledger);
        expect(negative).toEqual([]);
        const deferredOf = (grantId: string) =>
          state.grants.find((grant) => grant.grantId === grantId)?.deferred ?? 0;
        for (const [grantId, grant] of grants)
          expect({ grantId, deferred: grant.price + grant.net }).toEqual({
            grantId,
            deferred: deferredOf(grantId),
          });
        for (const [currency, { sold, refunded, taken }] of perCurrency) {
          const deferred = state.grants
            .filter((grant) => grant.price?.currency === currency)
            .reduce((sum, grant) => sum + grant.deferred, 0);
          expect({ currency, deferred: sold + refunded - taken }).toEqual({ currency, deferred });
        }
        for (const [generationId, value] of refundedValue)
          expect({ generationId, value }).toEqual({ generationId, value: paid.get(generationId) });
      }),
      { numRuns: 300, endOnFailure: true },
    );
  });
});
