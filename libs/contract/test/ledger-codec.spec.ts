import fc from 'fast-check';
import {
  accountDecider,
  STANDARD_RULES,
  type AccountCommand,
  type CreditEvent,
} from '@credits/domain';
import { positionOf, type EventData, type RecordedEvent } from '@credits/event-store';
import { decodeLedgerEvent, encodeLedgerEvent, LedgerDecodeError } from '../src';
import { historyPlan, longHistory, type HistoryPlan } from '../../credit-domain/test/long-history';
import { ledgerOf as ledgerOfDecider } from '../../credit-domain/test/ledger-of';

function stored(data: EventData, revision = 3n): RecordedEvent {
  return {
    streamName: 'account-acct-1',
    revision,
    id: data.id,
    type: data.type,
    // As the store gives it back: JSON, nothing shared with what was written.
    data: JSON.parse(JSON.stringify(data.data)),
    metadata: JSON.parse(JSON.stringify(data.metadata ?? null)),
    position: positionOf(1n, 1n),
    recordedAt: new Date(0),
  };
}

const generation = (generationId: string, at: string, id: string): AccountCommand => ({
  type: 'RequestGeneration',
  at,
  source: { id, producer: 'editor' },
  generationId,
  editType: 'twilight',
  resolution: '1K',
});

/** Every ledger event a generated history makes: all twelve types, in every variety. */
function ledgerOf(commands: readonly AccountCommand[]): CreditEvent[] {
  return ledgerOfDecider(
    accountDecider({ ...STANDARD_RULES, planPolicies: { team: 'reserve_generate_only' } }),
    commands,
  );
}

describe('the ledger codec', () => {
  it('reads back every event it writes, of every type, exactly', () => {
    const types = new Set<string>();
    const roundTripLedger = (ledger: readonly CreditEvent[]) => {
      for (const [revision, event] of ledger.entries()) {
        types.add(event.type);
        const written = encodeLedgerEvent('acct-1', BigInt(revision), event);
        expect(decodeLedgerEvent(stored(written, BigInt(revision)))).toEqual(event);
      }
    };
    const roundTrip = (plan: HistoryPlan) => roundTripLedger(ledgerOf(longHistory(plan)));
    // Tight accounts (refused requests and accepts) and busy ones: every event type appears.
    for (const [seed, creditsPerGrant] of [
      [1, 3],
      [2, 6],
      [3, 60],
    ] as const)
      roundTrip({
        seed,
        commands: 800,
        generationIds: 120,
        redeliveredSoon: 0.05,
        redeliveredLate: 0.05,
        outOfOrder: 0.1,
        creditsPerGrant,
        maxGapMs: 30 * 60 * 1000,
      });
    // An accept that cannot be paid: a plan that reserves only the generate part, one credit.
    const source = (id: string) => ({ id, producer: 'editor' });
    const at = '2026-11-01T10:00:00.000Z';
    roundTripLedger(
      ledgerOf([
        {
          type: 'GrantAllowance',
          at,
          source: source('e1'),
          plan: 'team',
          credits: 1,
          periodStart: at,
          periodEnd: '2026-12-01T00:00:00.000Z',
        },
        {
          type: 'RequestGeneration',
          at,
          source: source('e2'),
          generationId: 'g1',
          editType: 'twilight',
          resolution: '1K',
        },
        { type: 'AcceptEdit', at, source: source('e3'), generationId: 'g1' },
      ]),
    );
    // Value: a priced top-up charged, refunded after it ended, and a voided grant whose held
    // credits are voided when their hold is released.
    const later = (hours: number) => new Date(Date.parse(at) + hours * 3_600_000).toISOString();
    roundTripLedger(
      ledgerOf([
        {
          type: 'PurchaseTopUp',
          at,
          source: source('v1'),
          purchaseId: 'p1',
          credits: 3,
          expiresAt: later(2),
          price: { amount: 1_000, currency: 'EUR' },
        },
        {
          type: 'PurchaseTopUp',
          at,
          source: source('v2'),
          purchaseId: 'p2',
          credits: 9,
          price: { amount: 900, currency: 'USD' },
        },
        generation('g2', later(1), 'v3'),
        { type: 'AcceptEdit', at: later(1), source: source('v4'), generationId: 'g2' },
        generation('g3', later(1), 'v5'),
        {
          type: 'RefundCharge',
          at: later(3),
          source: source('v6'),
          refundId: 'r1',
          generationId: 'g2',
          reason: 'corrupt_result',
        },
        {
          type: 'VoidGrant',
          at: later(3),
          source: source('v7'),
          grantId: 'top-up:p2',
          reason: 'x',
        },
        { type: 'RejectEdit', at: later(4), source: source('v8'), generationId: 'g3' },
      ]),
    );
    fc.assert(fc.property(historyPlan({ min: 300, max: 600 }), roundTrip), { numRuns: 10 });
    expect(types.size).toBe(12);
  });

  const charged = encodeLedgerEvent('acct-1', 3n, {
    type: 'CreditsExpired',
    at: '2026-11-30T00:00:00.000Z',
    grantId: 'allowance:pro:2026-11-01T00:00:00Z',
    credits: 4,
  });

  it('keeps who asked in the metadata, not the data, and reads it back onto the source', () => {
    const event: CreditEvent = {
      type: 'EventIgnored',
      at: '2026-11-25T10:00:00Z',
      source: { id: 'e-1', producer: 'billing', publishedBy: 'billing-1' },
      command: 'AcceptEdit',
      reason: 'unknown_generation',
      generationId: 'g-1',
    } as CreditEvent;
    const written = encodeLedgerEvent('acct-1', 0n, event);
    expect(written.metadata).toEqual({ accountId: 'acct-1', schema: 1, publishedBy: 'billing-1' });
    expect((written.data as { source: unknown }).source).toEqual({
      id: 'e-1',
      producer: 'billing',
    });
    // The same decision with or without who asked is the same stored event.
    const { publishedBy: _by, ...anonymous } = event.source!;
    expect(encodeLedgerEvent('acct-1', 0n, { ...event, source: anonymous }).id).toBe(written.id);
    expect(decodeLedgerEvent(stored(written, 0n))).toEqual(event);
    expect(() =>
      decodeLedgerEvent(stored({ ...written, metadata: { schema: 1, publishedBy: 7 } }, 0n)),
    ).toThrow(/metadata.publishedBy: 7/);
  });

  it('keeps the trace an event came with in the metadata too, and reads it back onto the source', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const event: CreditEvent = {
      type: 'EventIgnored',
      at: '2026-11-25T10:00:00Z',
      source: { id: 'e-1', producer: 'editor', publishedBy: 'worker-1', traceparent },
      command: 'AcceptEdit',
      reason: 'unknown_generation',
      generationId: 'g-1',
    } as CreditEvent;
    const written = encodeLedgerEvent('acct-1', 0n, event);
    expect(written.metadata).toEqual({
      accountId: 'acct-1',
      schema: 1,
      publishedBy: 'worker-1',
      traceparent,
    });
    expect((written.data as { source: unknown }).source).toEqual({ id: 'e-1', producer: 'editor' });
    // A redelivery with another trace is still the same stored event.
    const { traceparent: _trace, ...untraced } = event.source!;
    expect(encodeLedgerEvent('acct-1', 0n, { ...event, source: untraced }).id).toBe(written.id);
    expect(decodeLedgerEvent(stored(written, 0n))).toEqual(event);
    expect(() =>
      decodeLedgerEvent(stored({ ...written, metadata: { schema: 1, traceparent: [] } }, 0n)),
    ).toThrow(/metadata.traceparent: \[\]/);
  });

  it('refuses a schema it cannot read, naming the stream and revision', () => {
    const newer = stored({ ...charged, metadata: { accountId: 'acct-1', schema: 2 } });
    expect(() => decodeLedgerEvent(newer)).toThrow(LedgerDecodeError);
    expect(() => decodeLedgerEvent(newer)).toThrow(
      'account-acct-1 at revision 3: stored with schema 2, which this release cannot read (it reads schemas 1)',
    );
  });

  it('reads an event stored without a schema as schema 1', () => {
    expect(decodeLedgerEvent(stored({ ...charged, metadata: {} }))).toMatchObject({
      type: 'CreditsExpired',
      credits: 4,
    });
  });

  it('refuses a stored event missing a field, or with one of the wrong kind, naming each', () => {
    const { credits: _credits, ...withoutCredits } = charged.data;
    expect(() => decodeLedgerEvent(stored({ ...charged, data: withoutCredits }))).toThrow(
      'account-acct-1 at revision 3: a CreditsExpired event with bad fields: credits (number): missing',
    );
    expect(() =>
      decodeLedgerEvent(stored({ ...charged, data: { ...charged.data, at: 'yesterday' } })),
    ).toThrow('at (instant): "yesterday"');
  });

  it("reads a grant's price back exactly, and refuses a stored price that is not money", () => {
    const [granted] = ledgerOf([
      {
        type: 'PurchaseTopUp',
        at: '2026-11-01T00:00:00.000Z',
        source: { id: 'e1', producer: 'billing' },
        purchaseId: 'p1',
        credits: 50,
        price: { amount: 4_900, currency: 'EUR' },
      },
    ]);
    const written = encodeLedgerEvent('acct-1', 0n, granted!);
    expect(decodeLedgerEvent(stored(written))).toEqual(granted);
    expect(() =>
      decodeLedgerEvent(
        stored({ ...written, data: { ...written.data, price: { amount: 49.5, currency: 'EUR' } } }),
      ),
    ).toThrow('a CreditsGranted event with bad fields: price (money?)');
  });

  it('refuses an event whose data names another type than the store does', () => {
    expect(() => decodeLedgerEvent(stored({ ...charged, type: 'HoldLapsed' }))).toThrow(
      'a HoldLapsed event whose data names type "CreditsExpired"',
    );
  });
});
