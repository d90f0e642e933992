import { EventStoreDbEventStore } from '@credits/event-store';
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
