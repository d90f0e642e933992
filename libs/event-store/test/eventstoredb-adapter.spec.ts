import {
  AppendRecordSizeExceededError,
  MaxAppendSizeExceededError,
  UnknownError,
} from '@kurrent/kurrentdb-client';
import {
  ClaimConflictError,
  EventStoreDbEventStore,
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
  positionOf,
  type EventData,
  type Snapshot,
} from '@credits/event-store';
import { translateEsdbError } from '../src/eventstoredb/driver-errors';
import { claimStreamOf } from '../src/eventstoredb/eventstoredb-claims';
import { describeEventStoreConformance } from './conformance';
import { FakeEsdbServer } from './fake-esdb-server';
import { events } from './test-events';

// The adapter's own logic, over a server held in memory: the suite the real server runs.
describeEventStoreConformance(
  'EventStoreDB adapter over an in-memory server',
  async () => new EventStoreDbEventStore(new FakeEsdbServer()),
);

const stream = 'account-a';
const claiming = (claim: string): EventData[] =>
  events(1).map((event) => ({ ...event, claims: [claim] }));
const snapshot = (revision: bigint, stateVersion = 'v1'): Snapshot => ({
  stream,
  revision,
  stateVersion,
  lastEventAt: new Date(Date.UTC(2026, 0, 1)),
  state: `${stateVersion} at ${revision}`,
});
const named = (name: string) => (candidate: string) => candidate === name;
const startsWith = (prefix: string) => (candidate: string) => candidate.startsWith(prefix);

function open(maxAppendSize?: number): { server: FakeEsdbServer; store: EventStoreDbEventStore } {
  const server = new FakeEsdbServer(maxAppendSize);
  return { server, store: new EventStoreDbEventStore(server) };
}

describe('EventStoreDB adapter: claims', () => {
  it('given a writer expecting a revision the stream has not reached, then it is refused before its append, so an earlier writer of the same claim cannot land under it', async () => {
    const { server, store } = open();
    await store.appendToStream(stream, events(1), { expectedRevision: 'no_stream' });
    // Were the later writer to reach its append, the earlier one would make the same claim at
    // revision 1 first, and the later append, at 1, would land as a second holder.
    server.beforeNext('append', named(stream), async () => {
      await store.appendToStream(stream, claiming('k'), { expectedRevision: 0n });
    });
    await expect(
      store.appendToStream(stream, claiming('k'), { expectedRevision: 1n }),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(server.written(stream)).toHaveLength(1);
    server.clearInterruptions();
    await store.appendToStream(stream, claiming('k'), { expectedRevision: 0n });
    const found = await store.findClaims([{ stream, claims: ['k'] }]);
    expect(found.get(stream)?.get('k')).toBe(1n);
  });

  it('given an earlier writer of the same claim that lands after a later writer wrote its entry, then the later append is refused as a claim conflict', async () => {
    const { server, store } = open();
    await store.appendToStream(stream, events(1), { expectedRevision: 'no_stream' });
    // The later writer (at revision 1) has written its entry; before it confirms the stream's
    // revision, the earlier writer (at 0) enters its own, ignores the later one's, and lands.
    server.beforeNext('readStream', named(stream), async () => {
      await store.appendToStream(stream, claiming('k'), { expectedRevision: 0n });
    });
    await expect(
      store.appendToStream(stream, claiming('k'), { expectedRevision: 1n }),
    ).rejects.toBeInstanceOf(ClaimConflictError);
    expect(server.written(stream)).toHaveLength(2);
    const found = await store.findClaims([{ stream, claims: ['k'] }]);
    expect(found.get(stream)?.get('k')).toBe(1n);
  });

  it('given an append whose answer was lost, when it is retried, then its claim entry is not written twice', async () => {
    const { server, store } = open();
    const batch = claiming('k');
    server.loseNextAnswer(named(stream));
    await expect(
      store.appendToStream(stream, batch, { expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
    expect(server.written(claimStreamOf(stream, 'k'))).toHaveLength(1);
    expect(server.written(stream)).toHaveLength(1);
  });

  it('given a claim held, then an append making it again writes no event to the stream', async () => {
    const { server, store } = open();
    await store.appendToStream(stream, claiming('k'), { expectedRevision: 'no_stream' });
    await expect(
      store.appendToStream(stream, claiming('k'), { expectedRevision: 0n }),
    ).rejects.toBeInstanceOf(ClaimConflictError);
    expect(server.written(stream)).toHaveLength(1);
  });
});

describe('EventStoreDB adapter: what the server refuses', () => {
  it('given an append over the server’s MaxAppendSize, then it is refused as the data’s fault, and nothing is written', async () => {
    const { server, store } = open(10_000);
    const large = events(1).map((event) => ({ ...event, data: { note: 'x'.repeat(20_000) } }));
    await expect(
      store.appendToStream(stream, large, { expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(InvalidAppendError);
    expect(server.written(stream)).toHaveLength(0);
  });

  it.each([
    [
      'an append over MaxAppendSize',
      MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576),
      InvalidAppendError,
    ],
    [
      'an event over MaxAppendEventSize',
      new UnknownError(undefined, 'Could not recognize MaximumAppendEventSizeExceeded'),
      InvalidAppendError,
    ],
    [
      'an event over the record size',
      new AppendRecordSizeExceededError(undefined as never, {
        stream,
        recordId: 'r',
        size: 2_000_000,
        maxSize: 1_048_576,
      }),
      InvalidAppendError,
    ],
    [
      'a busy server',
      new UnknownError(undefined, 'Could not recognize Server Is Busy'),
      EventStoreUnavailableError,
    ],
    [
      'a server not ready',
      new UnknownError(undefined, 'Could not recognize Server Is Not Ready'),
      EventStoreUnavailableError,
    ],
  ])('given %s, then the client’s error is the port’s %p', (_what, error, expected) => {
    expect(translateEsdbError(error, { stream })).toBeInstanceOf(expected);
  });
});

describe('EventStoreDB adapter: snapshots', () => {
  it('given the same snapshot written twice, then the server holds it once', async () => {
    const { server, store } = open();
    await store.snapshots.write([snapshot(1n)]);
    await store.snapshots.write([snapshot(1n), snapshot(1n)]);
    expect(server.written(`es-snapshot-${stream}`)).toHaveLength(1);
  });

  it('given duplicates already stored with other ids, then they read as one', async () => {
    const { server, store } = open();
    const data = {
      revision: '4',
      stateVersion: 'v1',
      lastEventAt: '2026-01-01T00:00:00.000Z',
      state: 's',
    };
    for (const id of [
      '5b2a5f8e-0f55-4c1b-9c1e-7d1f1b0a0001',
      '5b2a5f8e-0f55-4c1b-9c1e-7d1f1b0a0002',
    ])
      await server.append(`es-snapshot-${stream}`, [{ id, type: 'SnapshotTaken', data }], 'any');
    expect(await store.snapshots.readAllOf(stream)).toHaveLength(1);
  });

  it('given more snapshots than kept, then the newest kept of each version stay, and an older version goes once newer ones fill the window read', async () => {
    const { server, store } = open();
    await store.snapshots.write([snapshot(1n, 'v0')]);
    for (let revision = 1n; revision <= 20n; revision += 1n)
      await store.snapshots.write([snapshot(revision)]);
    expect((await store.snapshots.readAllOf(stream)).at(-1)?.stateVersion).toBe('v0');
    for (let revision = 21n; revision <= 60n; revision += 1n)
      await store.snapshots.write([snapshot(revision)]);
    const kept = await store.snapshots.readAllOf(stream);
    expect(kept.map((taken) => taken.revision)).toEqual(
      Array.from({ length: 12 }, (_, index) => 60n - BigInt(index)),
    );
    expect(server.limitsOf(`es-snapshot-${stream}`)?.truncateBefore).toBe(49n);
  });

  it('given a trim that fails once, then it is tried again; given one that keeps failing, then the write fails and the next write trims', async () => {
    const { server, store } = open();
    for (let revision = 1n; revision <= 12n; revision += 1n)
      await store.snapshots.write([snapshot(revision)]);
    const snapshots = `es-snapshot-${stream}`;
    server.failNext('setStreamLimits', new EventStoreUnavailableError('down'), named(snapshots));
    await store.snapshots.write([snapshot(13n)]);
    expect(server.limitsOf(snapshots)?.truncateBefore).toBe(1n);
    for (let failure = 0; failure < 3; failure += 1)
      server.failNext('setStreamLimits', new EventStoreUnavailableError('down'), named(snapshots));
    await expect(store.snapshots.write([snapshot(14n)])).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    expect(server.limitsOf(snapshots)?.truncateBefore).toBe(1n);
    await store.snapshots.write([snapshot(15n)]);
    expect(server.limitsOf(snapshots)?.truncateBefore).toBe(3n);
    expect((await store.snapshots.readAllOf(stream)).map((taken) => taken.revision)).toEqual(
      Array.from({ length: 12 }, (_, index) => 15n - BigInt(index)),
    );
  });
});

describe('EventStoreDB adapter: checkpoints', () => {
  it('given the limit of a new checkpoint stream cannot be set, then the save fails and writes nothing, and a later save sets both', async () => {
    const { server, store } = open();
    server.failNext(
      'setStreamLimits',
      new EventStoreUnavailableError('down'),
      startsWith('checkpoint-'),
    );
    await expect(store.checkpoints.save('reader', positionOf(1n, 1n), null)).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    expect(await store.checkpoints.load('reader')).toBeNull();
    expect(await store.checkpoints.save('reader', positionOf(1n, 1n), null)).toBe(0n);
    expect(server.limitsOf('checkpoint-reader')).toEqual({ maxCount: 10 });
  });

  it('given a save whose answer was lost, then it is tried again and counts once', async () => {
    const { server, store } = open();
    server.loseNextAnswer(named('checkpoint-reader'));
    expect(await store.checkpoints.save('reader', positionOf(1n, 1n), null)).toBe(0n);
    expect(server.written('checkpoint-reader')).toHaveLength(1);
  });
});

describe('EventStoreDB adapter: reading the log', () => {
  it('given claims, snapshots and checkpoints beside the ledger, then the server sends a reader only ledger events', async () => {
    const { server, store } = open();
    await store.appendToStream(stream, claiming('k'), { expectedRevision: 'no_stream' });
    await store.snapshots.write([snapshot(0n)]);
    await store.checkpoints.save('reader', positionOf(1n, 1n), null);
    await store.appendToStream('account-b', events(2), { expectedRevision: 'no_stream' });
    server.allEventsSent = 0;
    const page = await store.readAll({ from: 'start', maxCount: 100 });
    expect(page.events.map((event) => event.streamName)).toEqual([
      stream,
      'account-b',
      'account-b',
    ]);
    expect(server.allEventsSent).toBe(3);
  });

  it('given streams created with retries, lost answers and refusals, then each is listed once from its category’s index, with no read of the log', async () => {
    const { server, store } = open();
    const first = events(2);
    server.loseNextAnswer(named(stream));
    await expect(
      store.appendToStream(stream, first, { expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await store.appendToStream(stream, first, { expectedRevision: 'no_stream' });
    await expect(
      store.appendToStream(stream, events(1), { expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await store.appendToStream('account-b', events(1), { expectedRevision: 'any' });
    await store.appendToStream('account-b', events(1), { expectedRevision: 'any' });
    await store.appendToStream('other-c', events(1), { expectedRevision: 'no_stream' });
    server.allEventsSent = 0;
    const listed: string[][] = [];
    for await (const names of store.listStreams('account', 10)) listed.push(names);
    expect(listed).toEqual([[stream, 'account-b']]);
    expect(server.allEventsSent).toBe(0);
    expect(server.written('es-streams-account')).toHaveLength(4);
    const [read] = await store.readStream(stream);
    expect(read?.metadata).toEqual(first[0]?.metadata);
  });
});
