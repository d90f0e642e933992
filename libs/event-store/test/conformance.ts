import { randomUUID } from 'node:crypto';
import {
  CheckpointConflictError,
  comparePositions,
  InvalidAppendError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  type EventData,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@credits/event-store';
import { describeClaims } from './conformance-claims';
import { events } from './test-events';
export { events } from './test-events';
import { describeSnapshots } from './conformance-snapshots';

/** A category no other test (or run) writes to, so global reads see only this test's events. */
export function freshCategory(): string {
  return `conformance${process.env.TEST_RUN_ID ?? ''}${randomUUID().slice(0, 8)}`;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

async function readWholeCategory(store: EventStore, category: string): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let from: 'start' | Position = 'start';
  for (;;) {
    const page = await store.readAll({ from, maxCount: 3, category });
    all.push(...page.events);
    if (page.lastPosition) from = page.lastPosition;
    if (page.isEnd) return all;
  }
}

/**
 * Polls until `condition` holds. The deadline only bounds a hang, under jest's own: in two CI
 * runs this file took 59 s beside other tests (8 s alone), and a catch-up subscription once took
 * longer than the 10 s it had (the cause is not found: 150,000 events of other categories in
 * the database cost it nothing measured).
 */
async function until(condition: () => boolean, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * One suite every event store adapter must pass, in EventStoreDB's vocabulary. Called once per
 * adapter with a factory; each test writes to streams of its own category.
 */
export function describeEventStoreConformance(
  title: string,
  open: () => Promise<EventStore>,
): void {
  describe(title, () => {
    let store: EventStore;
    let category: string;
    const stream = (name: string): string => `${category}-${name}`;

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });
    beforeEach(() => {
      category = freshCategory();
    });

    describe('appending to a stream', () => {
      it('given no stream, when three events are appended at no_stream, then they are revisions 0..2 with their ids, types, data and metadata', async () => {
        const appended = events(3);
        const result = await store.appendToStream(stream('a'), appended, {
          expectedRevision: 'no_stream',
        });
        expect(result.nextExpectedRevision).toBe(2n);
        const read = await store.readStream(stream('a'));
        expect(read.map((event) => event.revision)).toEqual([0n, 1n, 2n]);
        expect(
          read.map(({ id, type, data, metadata, streamName }) => ({
            id,
            type,
            data,
            metadata,
            streamName,
          })),
        ).toEqual(
          appended.map(({ id, type, data, metadata }) => ({
            id,
            type,
            data,
            metadata,
            streamName: stream('a'),
          })),
        );
        expect(read.at(-1)?.position).toBe(result.position);
        expect(read[0]?.recordedAt).toBeInstanceOf(Date);
      });

      it('given a stream at revision 1, when appending at exactly 1, then it continues at 2', async () => {
        await store.appendToStream(stream('a'), events(2), { expectedRevision: 'no_stream' });
        const result = await store.appendToStream(stream('a'), events(1), {
          expectedRevision: 1n,
        });
        expect(result.nextExpectedRevision).toBe(2n);
      });

      it('given a stream at revision 1, when appending at 0, then a typed conflict carries expected 0 and actual 1, and nothing is written', async () => {
        await store.appendToStream(stream('a'), events(2), { expectedRevision: 'no_stream' });
        const error = await failure(
          store.appendToStream(stream('a'), events(1), { expectedRevision: 0n }),
        );
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ stream: stream('a'), expected: 0n, actual: 1n });
        expect(await store.readStream(stream('a'))).toHaveLength(2);
      });

      it('given an existing stream, when appending at no_stream, then the conflict names its actual revision', async () => {
        await store.appendToStream(stream('a'), events(1), { expectedRevision: 'no_stream' });
        const error = await failure(
          store.appendToStream(stream('a'), events(1), { expectedRevision: 'no_stream' }),
        );
        expect(error).toMatchObject({ expected: 'no_stream', actual: 0n });
      });

      it('given no stream, when appending at stream_exists or at an exact revision, then the conflict says no_stream', async () => {
        for (const expectedRevision of ['stream_exists', 0n] as const) {
          const error = await failure(
            store.appendToStream(stream('missing'), events(1), { expectedRevision }),
          );
          expect(error).toBeInstanceOf(WrongExpectedRevisionError);
          expect(error).toMatchObject({ expected: expectedRevision, actual: 'no_stream' });
        }
      });

      it('given any stream state, when appending at any or stream_exists, then events go to the end', async () => {
        await store.appendToStream(stream('a'), events(1), { expectedRevision: 'any' });
        await store.appendToStream(stream('a'), events(2), { expectedRevision: 'stream_exists' });
        const result = await store.appendToStream(stream('a'), events(1), {
          expectedRevision: 'any',
        });
        expect(result.nextExpectedRevision).toBe(3n);
      });

      it('given an empty append, a duplicate id in one append or an id that is not a UUID, then the port refuses it', async () => {
        const [one] = events(1) as [EventData];
        for (const bad of [[], [one, one], [{ ...one, id: 'not-a-uuid' }]]) {
          const error = await failure(
            store.appendToStream(stream('a'), bad, { expectedRevision: 'any' }),
          );
          expect(error).toBeInstanceOf(InvalidAppendError);
        }
      });
    });

    describe('idempotent appends', () => {
      it.each([
        ['no_stream', 'no_stream' as const],
        ['an exact revision', 0n],
      ])(
        'given an append at %s that succeeded, when it is retried with the same ids, then it succeeds again and writes nothing',
        async (_label, expectedRevision) => {
          if (expectedRevision !== 'no_stream')
            await store.appendToStream(stream('a'), events(1), { expectedRevision: 'no_stream' });
          const batch = events(3);
          const first = await store.appendToStream(stream('a'), batch, { expectedRevision });
          const retry = await store.appendToStream(stream('a'), batch, { expectedRevision });
          expect(retry.nextExpectedRevision).toBe(first.nextExpectedRevision);
          const read = await store.readStream(stream('a'));
          expect(read).toHaveLength(expectedRevision === 'no_stream' ? 3 : 4);
        },
      );

      it('given a retry that arrives after later appends, then it still succeeds without duplicating', async () => {
        const batch = events(2);
        await store.appendToStream(stream('a'), batch, { expectedRevision: 'no_stream' });
        await store.appendToStream(stream('a'), events(2), { expectedRevision: 1n });
        const retry = await store.appendToStream(stream('a'), batch, {
          expectedRevision: 'no_stream',
        });
        expect(retry.nextExpectedRevision).toBe(1n);
        expect(await store.readStream(stream('a'))).toHaveLength(4);
      });

      it('given a revision already taken, when a different event is appended there, then it is a conflict', async () => {
        await store.appendToStream(stream('a'), events(2), { expectedRevision: 'no_stream' });
        const error = await failure(
          store.appendToStream(stream('a'), events(1), { expectedRevision: 0n }),
        );
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ expected: 0n, actual: 1n });
      });
    });

    describe('reading a stream', () => {
      it('given five events, when read backwards with a limit, then the latest come first', async () => {
        await store.appendToStream(stream('a'), events(5), { expectedRevision: 'no_stream' });
        const read = await store.readStream(stream('a'), { direction: 'backwards', maxCount: 2 });
        expect(read.map((event) => event.revision)).toEqual([4n, 3n]);
      });

      it('given five events, when read forwards from revision 2 with a limit, then 2 and 3 come back', async () => {
        await store.appendToStream(stream('a'), events(5), { expectedRevision: 'no_stream' });
        const read = await store.readStream(stream('a'), { fromRevision: 2n, maxCount: 2 });
        expect(read.map((event) => event.revision)).toEqual([2n, 3n]);
      });

      it('given two streams and one with no events, when read together, then each comes whole, in order, and the missing one empty', async () => {
        const a = events(3, 'a');
        const b = events(2, 'b');
        await store.appendToStream(stream('a'), a, { expectedRevision: 'no_stream' });
        await store.appendToStream(stream('b'), b, { expectedRevision: 'no_stream' });
        const read = await store.readStreams([stream('a'), stream('none'), stream('b')]);
        expect([...read.keys()].sort()).toEqual([stream('a'), stream('b'), stream('none')].sort());
        expect(read.get(stream('a'))?.map((event) => event.id)).toEqual(a.map((e) => e.id));
        expect(read.get(stream('b'))?.map((event) => event.revision)).toEqual([0n, 1n]);
        expect(read.get(stream('none'))).toEqual([]);
      });

      it('given streams read together from revisions of their own, then each comes from its revision on, and one not named whole', async () => {
        await store.appendToStream(stream('a'), events(5), { expectedRevision: 'no_stream' });
        await store.appendToStream(stream('b'), events(3), { expectedRevision: 'no_stream' });
        const read = await store.readStreams([stream('a'), stream('b')], {
          fromRevisions: new Map([[stream('a'), 3n]]),
        });
        expect(read.get(stream('a'))?.map((event) => event.revision)).toEqual([3n, 4n]);
        expect(read.get(stream('b'))?.map((event) => event.revision)).toEqual([0n, 1n, 2n]);
      });

      it('given streams of two categories, when one category is listed in pages, then each of its streams with events comes once, and no other', async () => {
        const names = ['a', 'b', 'c', 'd', 'e'].map(stream);
        for (const name of names)
          await store.appendToStream(name, events(2), { expectedRevision: 'no_stream' });
        const other = `${freshCategory()}-a`;
        await store.appendToStream(other, events(1), { expectedRevision: 'no_stream' });
        const pages: string[][] = [];
        for await (const page of store.listStreams(category, 2)) pages.push(page);
        expect(pages.every((page) => page.length >= 1 && page.length <= 2)).toBe(true);
        expect(pages.flat().sort()).toEqual([...names].sort());
        const none: string[][] = [];
        for await (const page of store.listStreams(freshCategory(), 2)) none.push(page);
        expect(none).toEqual([]);
      });

      it('given a page size below 1, when streams are listed, then the listing is refused rather than never ending', async () => {
        await store.appendToStream(stream('a'), events(1), { expectedRevision: 'no_stream' });
        const list = async () => {
          for await (const page of store.listStreams(category, 0)) expect(page).toBeUndefined();
        };
        await expect(list()).rejects.toBeInstanceOf(InvalidAppendError);
      });

      it('given a stream with no events, when read, then StreamNotFoundError names it', async () => {
        const error = await failure(store.readStream(stream('nothing')));
        expect(error).toBeInstanceOf(StreamNotFoundError);
        expect(error).toMatchObject({ stream: stream('nothing') });
      });
    });

    describe('reading all', () => {
      it('given appends to several streams, when the category is read in pages, then every event comes once, in append order, with rising positions', async () => {
        const written: EventData[] = [];
        for (const name of ['x', 'y', 'x', 'z', 'y']) {
          const batch = events(2, name);
          written.push(...batch);
          await store.appendToStream(stream(name), batch, { expectedRevision: 'any' });
        }
        const read = await readWholeCategory(store, category);
        expect(read.map((event) => event.id)).toEqual(written.map((event) => event.id));
        for (let index = 1; index < read.length; index += 1)
          expect(comparePositions(read[index - 1]!.position, read[index]!.position)).toBeLessThan(
            0,
          );
      });

      it('given a position from an earlier read, when read from it, then only later events come', async () => {
        await store.appendToStream(stream('a'), events(2), { expectedRevision: 'no_stream' });
        const first = await readWholeCategory(store, category);
        const later = events(2);
        await store.appendToStream(stream('b'), later, { expectedRevision: 'no_stream' });
        const page = await store.readAll({
          from: first.at(-1)!.position,
          maxCount: 10,
          category,
        });
        expect(page.events.map((event) => event.id)).toEqual(later.map((event) => event.id));
        expect(page.isEnd).toBe(true);
      });
    });

    describe('appending to many streams at once', () => {
      it('given several streams each at its own expected revision, when appended in one call, then each continues from its revision', async () => {
        await store.appendToStream(stream('b'), events(2), { expectedRevision: 'no_stream' });
        const results = await store.appendToStreams([
          { stream: stream('a'), events: events(3), expectedRevision: 'no_stream' },
          { stream: stream('b'), events: events(1), expectedRevision: 1n },
        ]);
        expect(results.map((result) => result.nextExpectedRevision)).toEqual([2n, 2n]);
      });

      it('given one stream of a batch at a stale revision, then the conflict names that stream, and an atomic store writes none of the batch', async () => {
        await store.appendToStream(stream('b'), events(2), { expectedRevision: 'no_stream' });
        const error = await failure(
          store.appendToStreams([
            { stream: stream('a'), events: events(2), expectedRevision: 'no_stream' },
            { stream: stream('b'), events: events(1), expectedRevision: 0n },
          ]),
        );
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ stream: stream('b'), expected: 0n, actual: 1n });
        if (store.atomicMultiStreamAppend)
          await expect(store.readStream(stream('a'))).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      it('given a batch that was written, when the whole batch is retried, then it succeeds and writes nothing more', async () => {
        const batch = [
          { stream: stream('a'), events: events(2), expectedRevision: 'no_stream' as const },
          { stream: stream('b'), events: events(3), expectedRevision: 'no_stream' as const },
        ];
        const first = await store.appendToStreams(batch);
        const retry = await store.appendToStreams(batch);
        expect(retry.map((result) => result.nextExpectedRevision)).toEqual(
          first.map((result) => result.nextExpectedRevision),
        );
        expect(await readWholeCategory(store, category)).toHaveLength(5);
      });
    });

    describe('catch-up subscription', () => {
      it('given history, when subscribed from the start, then it delivers the history, says caught up, then delivers live appends', async () => {
        const history = events(4, 'h');
        await store.appendToStream(stream('a'), history, { expectedRevision: 'no_stream' });
        const seen: string[] = [];
        let caughtUpAt = -1;
        const subscription = store.subscribeToAll({
          from: 'start',
          category,
          pageSize: 3,
          pollIntervalMs: 20,
          handle: async (page) => {
            seen.push(...page.map((event) => event.id));
          },
          onCaughtUp: () => {
            if (caughtUpAt < 0) caughtUpAt = seen.length;
          },
        });
        try {
          await until(() => subscription.isCaughtUp, 'caught up');
          expect(caughtUpAt).toBe(4);
          const live = events(2, 'l');
          await store.appendToStream(stream('b'), live, { expectedRevision: 'no_stream' });
          await until(() => seen.length === 6, 'live events');
          expect(seen).toEqual([...history, ...live].map((event) => event.id));
        } finally {
          await subscription.stop();
        }
      });

      it('given a checkpoint handed to the handler, when a new subscription starts from it, then it repeats nothing and misses nothing', async () => {
        await store.appendToStream(stream('a'), events(3), { expectedRevision: 'no_stream' });
        let checkpoint: Position | null = null;
        const first = store.subscribeToAll({
          from: 'start',
          category,
          pollIntervalMs: 20,
          handle: async (_page, position) => {
            checkpoint = position;
          },
        });
        await until(() => first.isCaughtUp, 'first caught up');
        await first.stop();
        const later = events(2);
        await store.appendToStream(stream('a'), later, { expectedRevision: 2n });
        const seen: string[] = [];
        const second = store.subscribeToAll({
          from: checkpoint!,
          category,
          pollIntervalMs: 20,
          handle: async (page) => {
            seen.push(...page.map((event) => event.id));
          },
        });
        try {
          await until(() => second.isCaughtUp && seen.length >= 2, 'second caught up');
          expect(seen).toEqual(later.map((event) => event.id));
        } finally {
          await second.stop();
        }
      });
    });

    describeClaims(() => store, stream);
    describeSnapshots(() => store, stream);

    describe('checkpoints', () => {
      it('given no checkpoint, when saved, loaded, and saved again at its version, then versions count up and the latest position is kept', async () => {
        const name = freshCategory();
        const { position: p1 } = await store.appendToStream(stream('a'), events(1), {
          expectedRevision: 'no_stream',
        });
        const { position: p2 } = await store.appendToStream(stream('a'), events(1), {
          expectedRevision: 0n,
        });
        expect(await store.checkpoints.load(name)).toBeNull();
        const v0 = await store.checkpoints.save(name, p1, null);
        const v1 = await store.checkpoints.save(name, p2, v0);
        expect(v1).toBeGreaterThan(v0);
        const before = Date.now();
        expect(await store.checkpoints.load(name)).toEqual({
          position: p2,
          version: v1,
          savedAt: expect.any(Date),
        });
        // Saved just now, give or take the clocks of the test and the store's server.
        const savedAt = (await store.checkpoints.load(name))?.savedAt.getTime() ?? 0;
        expect(Math.abs(savedAt - before)).toBeLessThan(60_000);
      });

      it('given two writers of one checkpoint, when both save from the same version, then the second gets a typed conflict', async () => {
        const name = freshCategory();
        const { position } = await store.appendToStream(stream('a'), events(1), {
          expectedRevision: 'no_stream',
        });
        const version = await store.checkpoints.save(name, position, null);
        await store.checkpoints.save(name, position, version);
        await expect(store.checkpoints.save(name, position, version)).rejects.toBeInstanceOf(
          CheckpointConflictError,
        );
        await expect(store.checkpoints.save(name, position, null)).rejects.toBeInstanceOf(
          CheckpointConflictError,
        );
      });
    });
  });
}
