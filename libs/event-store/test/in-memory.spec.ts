import {
  DuplicateEventIdError,
  InMemoryEventStore,
  InvalidAppendError,
  WrongExpectedRevisionError,
  type EventData,
} from '@credits/event-store';
import { describeEventStoreConformance, events } from './conformance';

describeEventStoreConformance('in-memory event store', async () => new InMemoryEventStore());

// What the PostgreSQL adapter does beyond the suite (postgres-adapter.int-spec.ts and its SQL),
// which writers tested against this store must meet too.
describe('in-memory event store, beyond the conformance suite', () => {
  const stream = 'test-a';

  it('given an event id already in the stream at another revision, when appended again, then a typed duplicate error names the stream', async () => {
    const store = new InMemoryEventStore();
    const [first] = events(1) as [EventData];
    await store.appendToStream(stream, [first], { expectedRevision: 'no_stream' });
    await store.appendToStream(stream, events(1), { expectedRevision: 0n });
    const error = await store
      .appendToStream(stream, [first], { expectedRevision: 1n })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DuplicateEventIdError);
    expect(error).toMatchObject({ stream });
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('given an append at any that succeeded, when it is retried, then its first id finds it, and a retry that differs after it is a conflict', async () => {
    const store = new InMemoryEventStore();
    const batch = events(2);
    await store.appendToStream(stream, events(1), { expectedRevision: 'no_stream' });
    await store.appendToStream(stream, batch, { expectedRevision: 'any' });
    const retry = await store.appendToStream(stream, batch, { expectedRevision: 'any' });
    expect(retry.nextExpectedRevision).toBe(2n);
    const differing = [batch[0] as EventData, ...events(1)];
    await expect(
      store.appendToStream(stream, differing, { expectedRevision: 'any' }),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await store.readStream(stream)).toHaveLength(3);
  });

  it('given an id in capitals, then it is stored in lower case, and a retry in either case is the same append', async () => {
    const store = new InMemoryEventStore();
    const [event] = events(1) as [EventData];
    await store.appendToStream(stream, [{ ...event, id: event.id.toUpperCase() }], {
      expectedRevision: 'no_stream',
    });
    await store.appendToStream(stream, [event], { expectedRevision: 'no_stream' });
    expect((await store.readStream(stream)).map((read) => read.id)).toEqual([event.id]);
  });

  it('given events read back, when a caller changes them, then the store keeps what was appended', async () => {
    const store = new InMemoryEventStore();
    const [event] = events(1) as [EventData];
    await store.appendToStream(stream, [event], { expectedRevision: 'no_stream' });
    const [read] = await store.readStream(stream);
    expect(() => {
      (read?.data as { label: string }).label = 'changed';
    }).toThrow(TypeError);
    read?.recordedAt.setTime(0);
    const [again] = await store.readStream(stream);
    expect(again?.data).toEqual(event.data);
    expect(again?.recordedAt.getTime()).not.toBe(0);
  });

  it('given events appended, when the caller changes what it appended, then the store keeps what was appended', async () => {
    const store = new InMemoryEventStore();
    const data = { label: 'kept', nested: { amount: 1 } };
    await store.appendToStream(stream, [{ ...(events(1)[0] as EventData), data }], {
      expectedRevision: 'no_stream',
    });
    data.nested.amount = 2;
    const [read] = await store.readStream(stream);
    expect(read?.data).toEqual({ label: 'kept', nested: { amount: 1 } });
  });

  it.each([
    ['a NUL in data', { data: { note: 'a\u0000b' } }],
    ['a lone surrogate in a key of metadata', { metadata: { ['half \ud800']: 1 } }],
    ['a NUL in the type', { type: 'Some\u0000thing' }],
  ])(
    'given %s, then the append is refused as data PostgreSQL cannot hold, and nothing is written',
    async (_label, fault) => {
      const store = new InMemoryEventStore();
      const [good, bad] = events(2) as [EventData, EventData];
      await expect(
        store.appendToStream(stream, [good, { ...bad, ...fault }], {
          expectedRevision: 'no_stream',
        }),
      ).rejects.toBeInstanceOf(InvalidAppendError);
      expect(await store.readStreams([stream])).toEqual(new Map([[stream, []]]));
    },
  );

  it('given snapshots of one version, when one of another version is written, then the older version is dropped', async () => {
    const store = new InMemoryEventStore();
    const at = (revision: bigint, stateVersion: string) => ({
      stream,
      revision,
      stateVersion,
      lastEventAt: new Date(0),
      state: `${stateVersion} at ${revision}`,
    });
    await store.snapshots.write([at(1n, 'v1'), at(2n, 'v1')]);
    await store.snapshots.write([at(3n, 'v2')]);
    const kept = await store.snapshots.readAllOf(stream);
    expect(kept.map((snapshot) => snapshot.state)).toEqual(['v2 at 3']);
  });
});
