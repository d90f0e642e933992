import { millisOf } from '../src/entries/instants';
import {
  nextDueMs,
  STANDARD_PRICES,
  STANDARD_RULES,
  type CreditEvent,
  type CreditRules,
} from '../src';
import { Account, at, command, DAY, START } from './scenario';

const ofType = <T extends CreditEvent['type']>(events: CreditEvent[], type: T) =>
  events.filter((event): event is Extract<CreditEvent, { type: T }> => event.type === type);

describe('prices', () => {
  it.each([
    ['1K', 1, 2],
    ['2K', 1, 2],
    ['4K', 2, 4],
  ] as const)(
    'given credits, when a %s AI edit is generated, then it charges %i and holds %i',
    (resolution, charged, held) => {
      const account = new Account().given(command.allowance(100));
      const [event] = account.when(command.generate('g1', 'virtual_staging', resolution));
      expect(event).toMatchObject({
        type: 'GenerationCharged',
        charged,
        held,
        priceVersion: '2026-01',
      });
      expect(account.available()).toBe(100 - charged - held);
    },
  );

  it.each(['color_adjustment', 'rotate', 'crop'])(
    'given no credits at all, when a %s edit is made, then it is still recorded, at no cost, and opens no hold: keeping or discarding it changes nothing',
    (editType) => {
      const account = new Account();
      const events = account.when(command.generate('g1', editType));
      expect(events).toMatchObject([
        {
          type: 'GenerationCharged',
          editType,
          charged: 0,
          held: 0,
          resolution: null,
          holdExpiresAt: events[0]?.at,
        },
      ]);
      expect(nextDueMs(account.state)).toBeNull();
      expect(account.when(command.accept('g1'))).toMatchObject([
        { type: 'EventIgnored', reason: 'free_edit', generationId: 'g1' },
      ]);
      expect(account.when(command.reject('g1'))).toMatchObject([
        { type: 'EventIgnored', reason: 'free_edit', generationId: 'g1' },
      ]);
      expect(account.when(command.generate('g1', editType))).toMatchObject([
        { type: 'EventIgnored', reason: 'repeated_generation' },
      ]);
    },
  );

  it('given credits, when an edit type the rules do not know is generated, then it is priced as an AI edit', () => {
    const account = new Account().given(command.allowance(10));
    expect(account.when(command.generate('g1', 'sky_replacement', '4K'))).toMatchObject([
      { type: 'GenerationCharged', charged: 2, held: 4 },
    ]);
  });

  it('given an AI edit without a resolution, when generated, then nothing is charged and the anomaly is recorded', () => {
    const account = new Account().given(command.allowance(10));
    expect(account.when(command.generate('g1', 'twilight'))).toMatchObject([
      { type: 'EventIgnored', reason: 'resolution_missing', generationId: 'g1' },
    ]);
    expect(account.available()).toBe(10);
  });
});

describe('reservation and refusal', () => {
  it('given 2 credits, when a 1K edit (kept total 3) is requested, then it is refused with both amounts and nothing changes', () => {
    const account = new Account().given(command.allowance(2));
    expect(account.when(command.generate('g1', 'inpainting', '1K'))).toEqual([
      expect.objectContaining({
        type: 'GenerationRefused',
        required: 3,
        available: 2,
        reason: 'insufficient_credits',
      }),
    ]);
    expect(account.available()).toBe(2);
    expect(account.held()).toBe(0);
  });

  it('given exactly 3 credits, when a 1K edit is requested, then it is approved and nothing is left', () => {
    const account = new Account().given(command.allowance(3));
    expect(account.when(command.generate('g1', 'inpainting', '1K'))).toMatchObject([
      { type: 'GenerationCharged', availableAfter: 0 },
    ]);
    expect(account.available()).toBe(0);
  });

  describe('a plan that reserves only the generate part', () => {
    const rules: CreditRules = {
      ...STANDARD_RULES,
      planPolicies: { lite: 'reserve_generate_only' },
    };

    it('given 1 credit, when a 1K edit is requested, then it charges 1 and holds nothing', () => {
      const account = new Account(rules).given(command.allowance(1, { plan: 'lite' }));
      expect(account.when(command.generate('g1', 'twilight', '1K'))).toMatchObject([
        { type: 'GenerationCharged', charged: 1, held: 0 },
      ]);
    });

    it('given the accept part cannot be paid, when the edit is accepted, then the accept is refused and recorded, never a negative balance', () => {
      const account = new Account(rules).given(
        command.allowance(1, { plan: 'lite' }),
        command.generate('g1', 'twilight', '1K'),
      );
      expect(account.when(command.accept('g1'))).toMatchObject([
        { type: 'AcceptRefused', generationId: 'g1', required: 2, available: 0 },
      ]);
      expect(account.available()).toBe(0);
      expect(account.when(command.reject('g1'))).toMatchObject([
        { type: 'EditDiscarded', released: 0 },
      ]);
    });

    it('given the accept part can be paid, when the edit is accepted, then it is charged then', () => {
      const account = new Account(rules).given(
        command.allowance(5, { plan: 'lite' }),
        command.generate('g1', 'twilight', '1K'),
      );
      expect(account.when(command.accept('g1'))).toMatchObject([
        { type: 'EditKept', captured: 0, charged: 2 },
      ]);
      expect(account.available()).toBe(2);
    });
  });
});

describe('settling a generation', () => {
  const generated = () =>
    new Account().given(command.allowance(10), command.generate('g1', 'object_removal', '2K'));

  it('given a held generation, when accepted, then the hold is captured: kept total 3', () => {
    const account = generated();
    expect(account.when(command.accept('g1'))).toMatchObject([
      { type: 'EditKept', captured: 2, charged: 0 },
    ]);
    expect(account.available()).toBe(7);
    expect(account.held()).toBe(0);
    expect(account.state.totals.charged).toBe(3);
  });

  it('given a held generation, when rejected, then the hold is released: rejected total 1', () => {
    const account = generated();
    expect(account.when(command.reject('g1'))).toMatchObject([
      { type: 'EditDiscarded', released: 2 },
    ]);
    expect(account.available()).toBe(9);
    expect(account.state.totals.charged).toBe(1);
  });

  it('given a held generation, when the hold time passes and the next event arrives, then the hold lapses first, at its due time, as a rejection', () => {
    const account = generated();
    const events = account.when(command.topUp(5, { at: at(2 * DAY) }));
    expect(events.map((event) => event.type)).toEqual(['HoldLapsed', 'CreditsGranted']);
    expect(events[0]).toMatchObject({ at: at(1 * DAY), released: 2 });
    expect(account.available(at(2 * DAY))).toBe(14);
  });

  it('given holds charged out of time order (a late event), when time passes, then they lapse soonest first', () => {
    const account = new Account().given(
      command.topUp(20),
      command.generate('late', 'twilight', '1K', { at: at(60_000) }),
      command.generate('early', 'twilight', '1K', { at: at(1_000) }),
    );
    expect(account.when(command.sweep(at(DAY + 30_000)))).toMatchObject([
      { type: 'HoldLapsed', generationId: 'early', at: at(DAY + 1_000) },
    ]);
    expect(account.when(command.sweep(at(2 * DAY)))).toMatchObject([
      { type: 'HoldLapsed', generationId: 'late', at: at(DAY + 60_000) },
    ]);
    expect(account.held()).toBe(0);
  });

  it('given an idle account with a held generation, when the sweeper runs after the hold time, then the lapse is recorded', () => {
    const account = generated();
    expect(account.when(command.sweep(at(DAY - 1)))).toEqual([]);
    expect(account.when(command.sweep(at(DAY)))).toMatchObject([
      { type: 'HoldLapsed', generationId: 'g1' },
    ]);
    expect(account.when(command.accept('g1', { at: at(DAY + 1) }))).toMatchObject([
      { type: 'EventIgnored', reason: 'already_lapsed' },
    ]);
  });

  it('given a hold due, when a sweep brings it due, then the lapse names the clock reading that did; when a later event brings one due, it names none', () => {
    const account = generated();
    expect(account.when(command.sweep(at(DAY + 5_000)))).toEqual([
      expect.objectContaining({ type: 'HoldLapsed', at: at(DAY), sweptAt: at(DAY + 5_000) }),
    ]);
    const next = generated();
    const [lapse] = next.when(command.topUp(5, { at: at(DAY + 5_000) }));
    expect(lapse).toMatchObject({ type: 'HoldLapsed', at: at(DAY) });
    expect(lapse).not.toHaveProperty('sweptAt');
  });

  it('given a sweep at a clock reading, when the clock goes back and sweeps again, then nothing reopens and nothing repeats', () => {
    const account = generated();
    account.when(command.sweep(at(DAY + 3_600_000)));
    expect(account.when(command.sweep(at(DAY - 3_600_000)))).toEqual([]);
    expect(account.when(command.sweep(at(DAY + 3_600_000)))).toEqual([]);
    expect(account.held()).toBe(0);
  });

  it.each([
    ['an unknown generation', 'accept', (a: Account) => a, 'unknown_generation'],
    [
      'a refused generation',
      'accept',
      (a: Account) => a.given(command.generate('big', 'twilight', '4K')),
      'generation_refused',
    ],
    [
      'a discarded generation',
      'accept',
      (a: Account) => a.given(command.generate('big', 'twilight', '1K'), command.reject('big')),
      'already_discarded',
    ],
    [
      'a kept generation',
      'reject',
      (a: Account) => a.given(command.generate('big', 'twilight', '1K'), command.accept('big')),
      'already_kept',
    ],
    [
      'a kept generation, again',
      'accept',
      (a: Account) => a.given(command.generate('big', 'twilight', '1K'), command.accept('big')),
      'already_kept',
    ],
  ] as const)(
    'given %s, when it is %sed, then nothing is charged and it is recorded as ignored',
    (_, verb, given, reason) => {
      const account = given(new Account().given(command.allowance(5)));
      const before = account.available();
      expect(account.when(command[verb]('big'))).toMatchObject([{ type: 'EventIgnored', reason }]);
      expect(account.available()).toBe(before);
    },
  );
});

describe('grants', () => {
  it('given an allowance, when its period ends, then what is left lapses at the period end', () => {
    const account = new Account().given(
      command.allowance(10, { end: at(30 * DAY) }),
      command.generate('g1', 'twilight', '1K'),
      command.accept('g1'),
    );
    const events = account.when(command.sweep(at(31 * DAY)));
    expect(events).toMatchObject([{ type: 'CreditsExpired', at: at(30 * DAY), credits: 7 }]);
    expect(account.available(at(31 * DAY))).toBe(0);
  });

  it('given a top-up without expiry, when months pass, then it is still there', () => {
    const account = new Account().given(command.topUp(20));
    expect(account.when(command.sweep(at(400 * DAY)))).toEqual([]);
    expect(account.available(at(400 * DAY))).toBe(20);
  });

  it('given a top-up with an expiry, when it passes, then the top-up lapses', () => {
    const account = new Account().given(command.topUp(20, { expiresAt: at(10 * DAY) }));
    expect(account.when(command.sweep(at(11 * DAY)))).toMatchObject([
      { type: 'CreditsExpired', credits: 20 },
    ]);
  });

  it('given an allowance for a period that has not started, when a generation is requested before it, then those credits cannot pay', () => {
    const account = new Account().given(
      command.allowance(10, { start: at(5 * DAY), end: at(35 * DAY), at: START }),
    );
    expect(account.when(command.generate('g1', 'twilight', '1K'))).toMatchObject([
      { type: 'GenerationRefused', available: 0 },
    ]);
    expect(
      account.when(command.generate('g2', 'twilight', '1K', { at: at(5 * DAY) })),
    ).toMatchObject([{ type: 'GenerationCharged' }]);
  });

  it('given credits, when adjusted upwards, then they are added as a grant that never ends', () => {
    const account = new Account().given(command.adjust(7));
    expect(account.available(at(1000 * DAY))).toBe(7);
  });

  it('given 4 credits of which 3 are held, when 5 are removed, then the 1 available is removed and the shortfall of 4 recorded', () => {
    const account = new Account().given(
      command.allowance(4),
      command.generate('g1', 'twilight', '1K'),
    );
    expect(account.when(command.adjust(-5))).toMatchObject([
      { type: 'CreditsAdjusted', removed: 1, shortfall: 4 },
    ]);
    expect(account.available()).toBe(0);
    expect(account.when(command.accept('g1'))).toMatchObject([{ type: 'EditKept', captured: 2 }]);
  });

  it('given priced and free grants, when granted, then each grant records its cost basis, and a free one none', () => {
    const account = new Account();
    const eur = { amount: 4_900, currency: 'EUR' };
    expect(account.when(command.topUp(50, { price: eur }))).toEqual([
      expect.objectContaining({ type: 'CreditsGranted', kind: 'top_up', price: eur }),
    ]);
    const usd = { amount: 19_900, currency: 'USD' };
    expect(account.when(command.allowance(200, { price: usd }))).toEqual([
      expect.objectContaining({ type: 'CreditsGranted', kind: 'allowance', price: usd }),
    ]);
    const [free] = account.when(command.topUp(5));
    expect(free).not.toHaveProperty('price');
    const [adjusted] = account.when(command.adjust(3));
    expect(adjusted).not.toHaveProperty('price');
  });

  it('given a grant already made, when the same purchase arrives as a new event, then it is ignored as a repeat', () => {
    const account = new Account().given(command.topUp(5, { purchaseId: 'p1' }));
    expect(account.when(command.topUp(5, { purchaseId: 'p1' }))).toMatchObject([
      { type: 'EventIgnored', reason: 'repeated_grant' },
    ]);
    expect(account.available()).toBe(5);
  });
});

describe('consumption order', () => {
  it('given an allowance and a top-up, when charged, then the allowance (ending sooner) pays first and each charge names its grants', () => {
    const account = new Account().given(
      command.topUp(10, { purchaseId: 'p1' }),
      command.allowance(2, { plan: 'pro' }),
    );
    const [charged] = ofType(
      account.when(command.generate('g1', 'twilight', '4K')),
      'GenerationCharged',
    );
    expect(charged?.chargedFrom).toEqual([{ grantId: `allowance:pro:${START}`, credits: 2 }]);
    expect(charged?.heldFrom).toEqual([{ grantId: 'top-up:p1', credits: 4 }]);
  });

  it('given a top-up that ends before the allowance, when charged, then the top-up pays first', () => {
    const account = new Account().given(
      command.allowance(5),
      command.topUp(1, { purchaseId: 'p1', expiresAt: at(DAY) }),
    );
    const [charged] = ofType(
      account.when(command.generate('g1', 'twilight', '1K')),
      'GenerationCharged',
    );
    expect(charged?.chargedFrom).toEqual([{ grantId: 'top-up:p1', credits: 1 }]);
  });

  it('given two top-ups that never end, when charged, then the older pays first', () => {
    const account = new Account().given(
      command.topUp(1, { purchaseId: 'old' }),
      command.topUp(5, { purchaseId: 'new' }),
    );
    const [charged] = ofType(
      account.when(command.generate('g1', 'twilight', '1K')),
      'GenerationCharged',
    );
    expect(charged?.chargedFrom).toEqual([{ grantId: 'top-up:old', credits: 1 }]);
    expect(charged?.heldFrom).toEqual([{ grantId: 'top-up:new', credits: 2 }]);
  });
});

describe('holds pin their credits to grants', () => {
  const heldAcrossPeriodEnd = () =>
    new Account().given(
      command.allowance(10, { end: at(DAY / 2) }),
      command.generate('g1', 'twilight', '1K', { at: at(DAY / 2 - 1000) }),
    );

  it('given a hold on an allowance, when the period ends, then only the unpinned credits lapse', () => {
    const account = heldAcrossPeriodEnd();
    expect(account.when(command.sweep(at(DAY / 2)))).toMatchObject([
      { type: 'CreditsExpired', credits: 7 },
    ]);
    expect(account.held()).toBe(2);
  });

  it('given a hold that outlives its grant, when the edit is kept, then the pinned credits pay for it', () => {
    const account = heldAcrossPeriodEnd();
    expect(account.when(command.accept('g1', { at: at(DAY / 2 + 1000) }))).toMatchObject([
      { type: 'CreditsExpired', credits: 7 },
      { type: 'EditKept', captured: 2 },
    ]);
    expect(account.state.totals).toMatchObject({ granted: 10, charged: 3, lapsed: 7 });
  });

  it('given a hold that outlives its grant, when the edit is discarded, then the released credits lapse then', () => {
    const account = heldAcrossPeriodEnd();
    const discardAt = at(DAY / 2 + 1000);
    expect(account.when(command.reject('g1', { at: discardAt }))).toMatchObject([
      { type: 'CreditsExpired', credits: 7, at: at(DAY / 2) },
      { type: 'EditDiscarded', released: 2 },
      { type: 'CreditsExpired', credits: 2, at: discardAt },
    ]);
    expect(account.available(discardAt)).toBe(0);
  });
});

describe('idempotency', () => {
  it.each([
    ['a generation request', command.generate('g1', 'twilight', '1K', { id: 'dup' })],
    ['a top-up', command.topUp(3, { id: 'dup', purchaseId: 'p9' })],
    ['an adjustment', command.adjust(-1, { id: 'dup', adjustmentId: 'a9' })],
    ['an accept of an unknown generation', command.accept('nope', { id: 'dup' })],
  ])(
    'given %s was applied, when the same event is delivered again, then nothing happens',
    (_, repeated) => {
      const account = new Account().given(command.allowance(10), repeated);
      const before = account.state;
      expect(account.when(repeated)).toEqual([]);
      expect(account.state).toBe(before);
    },
  );

  it.each([
    [
      'a request whose generation id was already taken',
      [command.generate('g1', 'twilight', '1K')],
      command.generate('g1', 'inpainting', '2K', { id: 'dup' }),
    ],
    [
      'a request without the resolution an AI edit needs',
      [],
      command.generate('g2', 'twilight', undefined, { id: 'dup' }),
    ],
    [
      'a top-up whose purchase was already granted',
      [command.topUp(3, { purchaseId: 'p9' })],
      command.topUp(3, { id: 'dup', purchaseId: 'p9' }),
    ],
    [
      'an accept that came before its generation',
      [],
      command.accept('g1', { id: 'dup' }),
      [command.generate('g1', 'twilight', '1K')],
    ],
  ])(
    'given %s was recorded as ignored, when it is delivered again, then nothing happens, however the account has changed since',
    (_, before, repeated, since = []) => {
      const account = new Account().given(command.allowance(10), ...before, repeated, ...since);
      const state = account.state;
      expect(account.when(repeated)).toEqual([]);
      expect(account.state).toBe(state);
    },
  );

  it('given an accept was refused for want of credits, when it is delivered again after a top-up, then nothing happens', () => {
    const account = new Account({
      ...STANDARD_RULES,
      planPolicies: { lite: 'reserve_generate_only' },
    });
    const accept = command.accept('g1', { id: 'refused-accept' });
    account.given(
      command.allowance(1, { plan: 'lite' }),
      command.generate('g1', 'twilight', '1K'),
      accept,
      command.topUp(10),
    );
    expect(account.when(accept)).toEqual([]);
  });

  it('given an accept was applied, when it is delivered again, then nothing happens (not even an "already kept" record)', () => {
    const accept = command.accept('g1', { id: 'accept-1' });
    const account = new Account().given(
      command.allowance(10),
      command.generate('g1', 'twilight', '1K'),
      accept,
    );
    expect(account.when(accept)).toEqual([]);
  });
});

describe('the versioned price book', () => {
  const december: typeof STANDARD_PRICES = {
    ...STANDARD_PRICES,
    version: '2026-12',
    effectiveFrom: '2026-12-01T00:00:00.000Z',
    aiEdit: { ...STANDARD_PRICES.aiEdit, '4K': { generate: 3, accept: 5 } },
  };
  const rules: CreditRules = {
    ...STANDARD_RULES,
    priceBook: { versions: [STANDARD_PRICES, december] },
  };

  it('given two versions, when edits happen either side of the change, then each is priced by the version in force at its time', () => {
    const account = new Account(rules).given(command.topUp(100));
    expect(
      account.when(command.generate('nov', 'twilight', '4K', { at: '2026-11-30T23:59:59.999Z' })),
    ).toMatchObject([{ charged: 2, held: 4, priceVersion: '2026-01' }]);
    expect(
      account.when(command.generate('dec', 'twilight', '4K', { at: '2026-12-01T00:00:00.000Z' })),
    ).toMatchObject([{ charged: 3, held: 5, priceVersion: '2026-12' }]);
  });

  it('given a history, when a version starting later is added, then replaying the history decides exactly the same', () => {
    const commands = [
      command.topUp(30),
      command.generate('a', 'twilight', '4K', { at: at(1) }),
      command.accept('a', { at: at(2) }),
      command.generate('b', 'inpainting', '2K', { at: at(3) }),
    ];
    const before = new Account().given(...commands);
    const after = new Account({
      ...STANDARD_RULES,
      priceBook: { versions: [STANDARD_PRICES, { ...december, effectiveFrom: at(10) }] },
    }).given(...commands);
    expect(after.stream).toEqual(before.stream);
  });
});

describe('when the next lapse falls due', () => {
  it('given nothing that ends, then nothing is due', () => {
    expect(nextDueMs(new Account().given(command.topUp(10)).state)).toBeNull();
  });

  it('given an allowance ending in 30 days and a hold lapsing in one, then the hold is due first, and after it the allowance end', () => {
    const account = new Account().given(command.allowance(10));
    expect(nextDueMs(account.state)).toBe(millisOf(at(30 * DAY)));
    account.when(command.generate('g1', 'twilight', '1K'));
    expect(nextDueMs(account.state)).toBe(millisOf(START) + STANDARD_RULES.holdTimeoutMs);
    account.when(command.reject('g1'));
    expect(nextDueMs(account.state)).toBe(millisOf(at(30 * DAY)));
  });
});
