import { STANDARD_PRICES, type PriceBookVersion } from '@credits/domain';
import { wireEvent, type WireEvent } from './realistic-month';

/**
 * A brokerage sharing one pool among its agents in November 2026: Jo is capped at 9 credits a
 * period (three kept 1K edits; the fourth and fifth are refused as member_cap_reached while the
 * pool has plenty), Sam is not. The pool warns below 40 credits and asks billing for 50 more
 * below 35: Sam's edits cross both, once each, and billing's top-up restores the balance. With
 * the demo catalog (plan `brokerage` rolls a quarter of its unused allowance over, at most 30),
 * December's allowance finds November's ended: 33 unused, 8 roll over, 25 lapse.
 */
export const DEMO_CATALOG = {
  ...STANDARD_PRICES,
  version: 'demo-2026',
  plans: {
    brokerage: { allowanceCredits: 120, rollover: { fraction: 0.25, capCredits: 30 } },
  },
} satisfies PriceBookVersion;

export function brokerageMonth(accountId: string): WireEvent[] {
  const event = (type: WireEvent['type'], time: string, data: Record<string, unknown>) =>
    wireEvent(accountId, type, time, data);
  const kept1K = (memberId: string, generationId: string, time: string) => [
    event('GenerationRequested', time, {
      generationId,
      editType: 'virtual_staging',
      resolution: '1K',
      memberId,
    }),
    event('EditAccepted', time, { generationId }),
  ];
  const day = (n: number, hour = 10) =>
    `2026-11-${String(n).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
  return [
    event('AllowanceGranted', day(1, 0), {
      plan: 'brokerage',
      credits: 120,
      periodStart: day(1, 0),
      periodEnd: '2026-12-01T00:00:00Z',
      price: { amount: 9_900, currency: 'EUR' },
    }),
    event('MemberCapSet', day(1, 1), { memberId: 'agent-jo', credits: 9 }),
    event('BalanceThresholdSet', day(1, 1), { credits: 40 }),
    event('AutoTopUpConfigured', day(1, 1), {
      threshold: 35,
      credits: 50,
      price: { amount: 4_500, currency: 'EUR' },
    }),
    ...[2, 3, 4, 5, 6].flatMap((n) => kept1K('agent-jo', `jo-${n}`, day(n))),
    ...Array.from({ length: 26 }, (_, index) =>
      kept1K('agent-sam', `sam-${index}`, day(2 + Math.floor(index / 2), 11 + (index % 2))),
    ).flat(),
    // Billing answers the automatic top-up request (its id is the request's).
    event('TopUpPurchased', day(20), {
      purchaseId: 'auto-top-up:1',
      credits: 50,
      price: { amount: 4_500, currency: 'EUR' },
    }),
    event('AllowanceGranted', '2026-12-01T00:00:00Z', {
      plan: 'brokerage',
      credits: 120,
      periodStart: '2026-12-01T00:00:00Z',
      periodEnd: '2027-01-01T00:00:00Z',
      price: { amount: 9_900, currency: 'EUR' },
    }),
  ];
}
