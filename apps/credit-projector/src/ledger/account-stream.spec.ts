import type { CreditEvent } from '@credits/domain';
import { encodeLedgerEvent as toEventData } from '@credits/contract';

// A stored event's id is how the store recognises a retried append as the same one: if the
// release that retries computed another id, the retry would be a conflict, or a second copy.
// These ids were computed by the release that first stored them; they must never change.
describe('stored ledger event ids', () => {
  it('given an event caused by a wire event, when it is stored, then its id is the one it always had', () => {
    const discarded: CreditEvent = {
      type: 'EditDiscarded',
      at: '2026-11-03T10:00:00.000Z',
      source: {
        id: '7c1e2f9a-0b4d-4e8f-9a61-3d2c5b7e8f10',
        producer: 'editor',
        kafka: { topic: 'editor.events', partition: 2, offset: '41' },
      },
      generationId: 'g-1',
      released: 2,
      releasedTo: [{ grantId: 'allowance:pro:2026-11-01T00:00:00Z', credits: 2 }],
    };
    expect(toEventData('acct-1', 7n, discarded).id).toBe('85489ba1-d08a-598c-8f15-abcea90bb47a');
  });

  it('given a lapse (no wire event caused it), when it is stored, then its id is the one it always had', () => {
    const lapsed: CreditEvent = {
      type: 'HoldLapsed',
      at: '2026-11-04T10:00:00.000Z',
      generationId: 'g-2',
      released: 2,
      releasedTo: [],
    };
    expect(toEventData('acct-1', 8n, lapsed).id).toBe('8715e366-075a-5277-a6d7-07ff358a55e5');
  });
});
