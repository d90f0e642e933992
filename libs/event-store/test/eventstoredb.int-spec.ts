import { randomUUID } from 'node:crypto';
import { EventStoreDbEventStore, EventStoreUnavailableError } from '@credits/event-store';
import { describeEventStoreConformance } from './conformance';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  describeEventStoreConformance('EventStoreDB event store adapter', async () =>
    EventStoreDbEventStore.connect(connectionString),
  );
} else {
  // The title is what `npm test` prints as the reason, next to the skipped count.
  describe(`EventStoreDB adapter conformance SKIPPED (${process.env.EVENTSTORE_SKIPPED ?? 'no EventStoreDB'}): it needs a Docker engine or EVENTSTORE_CONNECTION_STRING`, () => {
    it.skip('runs the event store conformance suite against EventStoreDB', () => undefined);
  });
}

// Runs everywhere: the real driver against a port nobody listens on.
describe('EventStoreDB adapter with no server answering', () => {
  const store = EventStoreDbEventStore.connect(
    'kurrentdb://127.0.0.1:1?tls=false&maxDiscoverAttempts=1&discoveryInterval=50&gossipTimeout=1',
  );
  afterAll(() => store.close());

  it.each([
    ['readAll', () => store.readAll({ from: 'start', maxCount: 1 })],
    ['readStream', () => store.readStream('ledger-1')],
    [
      'appendToStream',
      () =>
        store.appendToStream('ledger-1', [{ id: randomUUID(), type: 'T', data: {} }], {
          expectedRevision: 'no_stream',
        }),
    ],
    ['checkpoints.load', () => store.checkpoints.load('reader')],
  ])('%s fails with the port’s unavailable error, not a driver error', async (_name, operation) => {
    await expect(operation()).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });
});
