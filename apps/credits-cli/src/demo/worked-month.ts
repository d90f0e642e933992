import { wireEvent, type WireEvent } from './realistic-month';

const EUR = (amount: number) => ({ amount, currency: 'EUR' });

/**
 * The README's worked month (finance section): two top-ups at different prices, usage, one
 * refund, one lapse and one void, in November 2026, for one account. `credits demo` publishes
 * it, and the revenue integration test checks the table it makes.
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
