import { wireEvent, type WireEvent } from './editor-events';

const EUR = (amount: number) => ({ amount, currency: 'EUR' });

/**
 * The README's worked month (finance section): two top-ups at different prices, usage, one
 * refund, one lapse and one void, in November 2026, for one account.
 */
export function workedMonth(accountId: string): WireEvent[] {
  const event = (type: WireEvent['type'], time: string, data: Record<string, unknown>) =>
    wireEvent(accountId, type, time, data);
  const kept1K = (generationId: string, time: string) => [
    event('GenerationRequested', time, { generationId, editType: 'twilight', resolution: '1K' }),
    event('EditAccepted', time, { generationId }),
  ];
  return [
    event('TopUpPurchased', '2026-11-01T09:00:00Z', {
      purchaseId: 'nov-a',
      credits: 30,
      expiresAt: '2026-11-25T00:00:00Z',
      price: EUR(3_000),
    }),
    event('TopUpPurchased', '2026-11-02T09:00:00Z', {
      purchaseId: 'nov-b',
      credits: 50,
      price: EUR(4_000),
    }),
    ...['g1', 'g2', 'g3', 'g4'].flatMap((id) => kept1K(id, '2026-11-03T10:00:00Z')),
    event('ChargeRefunded', '2026-11-05T12:00:00Z', {
      refundId: 'r1',
      generationId: 'g1',
      reason: 'corrupt_result',
    }),
    event('GenerationRequested', '2026-11-06T10:00:00Z', {
      generationId: 'g5',
      editType: 'virtual_staging',
      resolution: '4K',
    }),
    event('EditRejected', '2026-11-06T10:05:00Z', { generationId: 'g5' }),
    event('TopUpPurchased', '2026-11-20T09:00:00Z', {
      purchaseId: 'nov-c',
      credits: 20,
      price: EUR(2_000),
    }),
    ...['g6', 'g7', 'g8'].flatMap((id) => kept1K(id, '2026-11-26T10:00:00Z')),
    event('GrantVoided', '2026-11-28T15:00:00Z', { grantId: 'nov-c', reason: 'chargeback' }),
  ];
}

/** The revenue table it makes, by day (minor units of EUR): what the README shows. */
export const WORKED_MONTH_BY_DAY = [
  ['2026-11-01', 0, 3_000, 0, 0, 0, 0, 3_000],
  ['2026-11-02', 3_000, 4_000, 0, 0, 0, 0, 7_000],
  ['2026-11-03', 7_000, 0, 1_200, 0, 0, 0, 5_800],
  ['2026-11-05', 5_800, 0, 0, 0, 300, 0, 6_100],
  ['2026-11-06', 6_100, 0, 200, 0, 0, 0, 5_900],
  ['2026-11-20', 5_900, 2_000, 0, 0, 0, 0, 7_900],
  ['2026-11-25', 7_900, 0, 0, 1_900, 0, 0, 6_000],
  ['2026-11-26', 6_000, 0, 720, 0, 0, 0, 5_280],
  ['2026-11-28', 5_280, 0, 0, 0, 0, 2_000, 3_280],
] as const;
