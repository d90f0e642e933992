import type { EventStore, Snapshot } from '@credits/event-store';
import { SNAPSHOTS_KEPT } from '@credits/event-store';
import { events } from './test-events';

const snapshot = (
  stream: string,
  revision: bigint,
  overrides: Partial<Snapshot> = {},
): Snapshot => ({
  stream,
  revision,
  stateVersion: 'v1',
  lastEventAt: new Date(Date.UTC(2026, 0, 1 + Number(revision))),
  state: `state at ${revision}`,
  ...overrides,
});

/** What every adapter keeps of snapshots, and how it finds the one a reader can use. */
export function describeSnapshots(
  storeOf: () => EventStore,
  stream: (name: string) => string,
): void {
  describe('snapshots', () => {
    it('given snapshots of several versions, when the newest of one version is read, then it comes back byte for byte, and a stream with none is absent', async () => {
      const store = storeOf();
      await store.snapshots.write([snapshot(stream('a'), 3n), snapshot(stream('a'), 9n)]);
      const found = await store.snapshots.readLatest([stream('a'), stream('none')], 'v1');
      expect(found.get(stream('a'))).toMatchObject({ revision: 9n, stateVersion: 'v1' });
      expect(found.get(stream('a'))?.state).toBe('state at 9');
      expect(found.get(stream('none'))).toBeUndefined();
      await store.snapshots.write([snapshot(stream('a'), 12n, { stateVersion: 'v2' })]);
      const v2 = await store.snapshots.readLatest([stream('a')], 'v2');
      expect(v2.get(stream('a'))?.revision).toBe(12n);
      // A write in another version may drop the older version's snapshots: never a wrong one.
      const v1 = (await store.snapshots.readLatest([stream('a')], 'v1')).get(stream('a'));
      expect(v1 === undefined || v1.revision === 9n).toBe(true);
    });

    it('given snapshots at several times, when read as of an instant, then the newest whose last event is at or before it comes back', async () => {
      const store = storeOf();
      await store.snapshots.write([1n, 5n, 9n].map((revision) => snapshot(stream('a'), revision)));
      const asOf = (day: number) =>
        store.snapshots
          .readLatest([stream('a')], 'v1', { atOrBefore: new Date(Date.UTC(2026, 0, day)) })
          .then((found) => found.get(stream('a'))?.revision);
      expect(await asOf(7)).toBe(5n);
      expect(await asOf(6)).toBe(5n);
      expect(await asOf(1)).toBeUndefined();
      expect(await asOf(99)).toBe(9n);
    });

    it('given streams with and without snapshots, when read from snapshots, then each comes with its newest usable snapshot and the events after it, or whole, or empty', async () => {
      const store = storeOf();
      const a = events(6, 'a');
      await store.appendToStream(stream('a'), a, { expectedRevision: 'no_stream' });
      await store.appendToStream(stream('b'), events(2, 'b'), { expectedRevision: 'no_stream' });
      await store.snapshots.write([
        snapshot(stream('a'), 1n),
        snapshot(stream('a'), 3n),
        snapshot(stream('a'), 4n, { stateVersion: 'v2' }),
        snapshot(stream('b'), 0n, { stateVersion: 'v2' }),
      ]);
      const read = await store.readStreamsFromSnapshots(
        [stream('a'), stream('b'), stream('none')],
        'v1',
      );
      const fromA = read.get(stream('a'));
      expect(fromA?.snapshot).toMatchObject({
        stream: stream('a'),
        revision: 3n,
        stateVersion: 'v1',
      });
      expect(fromA?.snapshot?.state).toBe('state at 3');
      expect(fromA?.snapshot?.lastEventAt).toEqual(new Date(Date.UTC(2026, 0, 4)));
      expect(fromA?.events.map((event) => event.id)).toEqual(a.slice(4).map((event) => event.id));
      expect(read.get(stream('b'))).toMatchObject({ snapshot: null });
      expect(read.get(stream('b'))?.events.map((event) => event.revision)).toEqual([0n, 1n]);
      expect(read.get(stream('none'))).toEqual({ snapshot: null, events: [] });
    });

    it('given snapshots at several times, when read from snapshots as of an instant, then the newest at or before it starts the stream, and the tail follows it', async () => {
      const store = storeOf();
      await store.appendToStream(stream('a'), events(10), { expectedRevision: 'no_stream' });
      await store.snapshots.write([2n, 6n].map((revision) => snapshot(stream('a'), revision)));
      const asOf = async (day: number) => {
        const read = (
          await store.readStreamsFromSnapshots([stream('a')], 'v1', {
            atOrBefore: new Date(Date.UTC(2026, 0, day)),
          })
        ).get(stream('a'));
        return [read?.snapshot?.revision ?? null, read?.events[0]?.revision, read?.events.length];
      };
      expect(await asOf(5)).toEqual([2n, 3n, 7]);
      expect(await asOf(7)).toEqual([6n, 7n, 3]);
      expect(await asOf(2)).toEqual([null, 0n, 10]);
    });

    it('given the same snapshot written twice, then one is kept; given more than the kept number, then the oldest go', async () => {
      const store = storeOf();
      await store.snapshots.write([snapshot(stream('a'), 1n)]);
      await store.snapshots.write([snapshot(stream('a'), 1n)]);
      expect(await store.snapshots.readAllOf(stream('a'))).toHaveLength(1);
      for (let revision = 2n; revision <= BigInt(SNAPSHOTS_KEPT + 5); revision += 1n)
        await store.snapshots.write([snapshot(stream('a'), revision)]);
      const kept = await store.snapshots.readAllOf(stream('a'));
      expect(kept.length).toBeLessThanOrEqual(SNAPSHOTS_KEPT + 1);
      expect(kept[0]?.revision).toBe(BigInt(SNAPSHOTS_KEPT + 5));
    });

    it('given a snapshot, then it is not in the global log the port shows', async () => {
      const store = storeOf();
      await store.snapshots.write([snapshot(stream('a'), 0n)]);
      await store.appendToStream(stream('a'), events(1), { expectedRevision: 'no_stream' });
      const category = stream('a').slice(0, stream('a').indexOf('-'));
      const page = await store.readAll({ from: 'start', maxCount: 100_000, category });
      expect(page.events.map((event) => event.streamName)).toEqual([stream('a')]);
    });
  });
}
