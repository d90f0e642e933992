import { accountDecider, nextDueMs, stateVersionOf, type AccountCommand } from '@credits/domain';
import { accountStream } from '@credits/domain/streams';
import {
  EventStoreUnavailableError,
  InMemoryEventStore,
  InvalidAppendError,
  StreamNotFoundError,
  type EventStore,
  type StreamAppend,
} from '@credits/event-store';
import { IGNORE_SNAPSHOT_TROUBLE } from '@credits/ledger';
import { AccountStates } from '../ledger/account-states';
import type { LedgerItem } from './decide-chunk';
import { LedgerWriter, type WriterHooks } from './ledger-writer';
import { WRITE_BOUNDS, WriteGivenUpError } from './write-failures';
import type { ChunkControl } from './write-retries';

const decider = accountDecider();
const at = '2026-11-01T10:00:00Z';
let sequence = 0;
const item = (accountId: string, command: Record<string, unknown>): LedgerItem => ({
  accountId,
  command: {
    at,
    source: { id: `e-${(sequence += 1)}`, producer: 'editor' },
    ...command,
  } as AccountCommand,
});
const allowance = (accountId: string) =>
  item(accountId, {
    type: 'GrantAllowance',
    plan: 'pro',
    credits: 10,
    periodStart: '2026-11-01T00:00:00Z',
    periodEnd: '2026-12-01T00:00:00Z',
  });
const topUp = (accountId: string) =>
  item(accountId, { type: 'PurchaseTopUp', purchaseId: `p-${sequence}`, credits: 10 });
const generate = (accountId: string, generationId: string) =>
  item(accountId, {
    type: 'RequestGeneration',
    generationId,
    editType: 'twilight',
    resolution: '1K',
  });

/** A store whose appends go through `intercept` first: it may throw, or write something itself. */
function intercepted(
  store: InMemoryEventStore,
  intercept: (appends: readonly StreamAppend[], call: number) => Promise<void> | void,
): EventStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'appendToStreams')
        return async (appends: readonly StreamAppend[]) => {
          calls += 1;
          await intercept(appends, calls);
          return target.appendToStreams(appends);
        };
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A writer on `store`, recording what it tells its hooks and how long it would have paused. */
function writerOn(
  store: EventStore,
  pauses: number[] = [],
  stillOurs = () => true,
  appended: WriterHooks['appended'] = () => undefined,
) {
  const seen = {
    conflicts: 0,
    waits: [] as string[],
    noStoredDecision: 0,
    /** The accounts each afterAppend named, with when each next has something due. */
    afterAppend: [] as [string, number | null][][],
  };
  const hooks: WriterHooks = {
    beforeDeciding: async () => undefined,
    afterAppend: async (accounts) => {
      seen.afterAppend.push(accounts.map(({ accountId, state }) => [accountId, nextDueMs(state)]));
    },
    appended,
    noStoredDecision: () => (seen.noStoredDecision += 1),
    retries: {
      conflicted: () => (seen.conflicts += 1),
      waiting: (failure) => seen.waits.push(failure),
      succeeded: () => undefined,
    },
  };
  const states = new AccountStates(store, decider, 1_000, {
    stateVersion: stateVersionOf(decider.rules),
    trouble: IGNORE_SNAPSHOT_TROUBLE,
    isDue: () => false,
    isWorthOnLeaving: () => false,
    offer: () => undefined,
    flush: async () => undefined,
  });
  const writer = new LedgerWriter(store, decider, states, hooks, async (ms) => {
    pauses.push(ms);
    return stillOurs();
  });
  return { writer, seen, states };
}

const control: ChunkControl = { heartbeat: async () => undefined, isActive: () => true };

async function ledgerOf(store: EventStore, accountId: string): Promise<string[]> {
  try {
    return (await store.readStream(accountStream(accountId))).map((event) => event.type);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

const eventsOf = (decided: { outcome: { ledgerEvents: number } }[] | null) =>
  decided?.map(({ outcome }) => outcome.ledgerEvents);

describe('writing a chunk to the ledgers', () => {
  it('given a chunk for two accounts, when it is written, then each item carries what it caused and a generation its own decision', async () => {
    const store = new InMemoryEventStore();
    const { writer } = writerOn(store);
    const items = [allowance('a'), allowance('b'), generate('a', 'g1')];
    const decided = await writer.write(items, control);
    expect(decided?.map(({ item }) => item)).toEqual(items);
    expect(eventsOf(decided)).toEqual([1, 1, 1]);
    expect(decided?.[2]?.outcome.decision).toMatchObject({
      type: 'GenerationCharged',
      generationId: 'g1',
    });
    expect(await ledgerOf(store, 'a')).toEqual(['CreditsGranted', 'GenerationCharged']);
  });

  it('given the chunk delivered again, then it causes nothing, and the repeated request carries the decision stored the first time', async () => {
    const store = new InMemoryEventStore();
    const items = [allowance('a'), generate('a', 'g1')];
    const first = await writerOn(store).writer.write(items, control);
    // Another process, as after a restart: nothing cached.
    const again = await writerOn(store).writer.write(items, control);
    expect(eventsOf(again)).toEqual([0, 0]);
    expect(again?.[1]?.outcome.decision).toEqual(first?.[1]?.outcome.decision);
    expect(await ledgerOf(store, 'a')).toEqual(['CreditsGranted', 'GenerationCharged']);
  });

  it('given an append that committed but whose answer was lost, when the writer tries again, then nothing is appended twice and the account reaches the due index as the store holds it', async () => {
    const store = new InMemoryEventStore();
    let lost = false;
    const answerLost = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'appendToStreams')
          return async (appends: readonly StreamAppend[]) => {
            const appended = await target.appendToStreams(appends);
            if (lost) return appended;
            lost = true;
            throw new EventStoreUnavailableError('the answer was lost after the commit');
          };
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { writer, seen } = writerOn(answerLost);
    await writer.write([allowance('a'), generate('a', 'g1')], control);
    expect(await ledgerOf(store, 'a')).toEqual(['CreditsGranted', 'GenerationCharged']);
    expect(seen.waits).toEqual(['unavailable']);
    // The hold's lapse is due: the retry saw the state the store holds, not the one before.
    expect(seen.afterAppend).toEqual([[['a', expect.any(Number)]]]);
  });

  it('given another writer appends to an account after its state was loaded, then the append conflicts, the writer loads it again and decides on what the other wrote', async () => {
    const store = new InMemoryEventStore();
    const other = writerOn(store).writer;
    const racing = intercepted(store, async (_appends, call) => {
      if (call === 1) await other.write([topUp('a')], control);
    });
    const { writer, seen } = writerOn(racing);
    // The account has only what the other writer bought: deciding on the state loaded before
    // it would refuse the generation for want of credits.
    const decided = await writer.write([generate('a', 'g1')], control);
    expect(seen.conflicts).toBe(1);
    expect(eventsOf(decided)).toEqual([1]);
    expect(decided?.[0]?.outcome.decision).toMatchObject({ type: 'GenerationCharged' });
    expect(await ledgerOf(store, 'a')).toEqual(['CreditsGranted', 'GenerationCharged']);
  });

  it('given the store refuses the data of one item, then the chunk is appended by halves, only that item is undecidable, and the rest are written in order', async () => {
    const store = new InMemoryEventStore();
    let appends = 0;
    const refusing = intercepted(store, (batch) => {
      appends += 1;
      const generationIds = batch.flatMap(({ events }) =>
        events.map((event) => (event.data as { generationId?: string }).generationId),
      );
      if (generationIds.includes('bad'))
        throw new InvalidAppendError('PostgreSQL cannot store this data');
    });
    const { writer } = writerOn(refusing);
    const items = [
      allowance('a'),
      allowance('b'),
      ...['g1', 'g2', 'bad', 'g3', 'g4', 'g5'].map((id) => generate(id === 'bad' ? 'b' : 'a', id)),
    ];
    const decided = await writer.write(items, control);
    expect(decided?.map(({ outcome }) => outcome.undecidable?.message ?? null)).toEqual([
      null,
      null,
      null,
      null,
      'PostgreSQL cannot store this data',
      null,
      null,
      null,
    ]);
    expect(eventsOf(decided)).toEqual([1, 1, 1, 1, 0, 1, 1, 1]);
    expect(await ledgerOf(store, 'b')).toEqual(['CreditsGranted']);
    expect(await ledgerOf(store, 'a')).toHaveLength(6);
    // The whole chunk, then halves down to the one item: O(log n) appends, not n.
    expect(appends).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(items.length)));
  });

  it('given the store refuses one item of an account, then the later items of that account are decided on the state before it, and its ledger events are counted once', async () => {
    const store = new InMemoryEventStore();
    const refusing = intercepted(store, (batch) => {
      const refused = batch.some(({ events }) =>
        events.some((event) => (event.data as { generationId?: string }).generationId === 'bad'),
      );
      if (refused) throw new InvalidAppendError('PostgreSQL cannot store this data');
    });
    let counted = 0;
    const { writer } = writerOn(
      refusing,
      [],
      () => true,
      (events) => (counted += events.length),
    );
    // 10 credits: 'bad' would hold 3, and with it g2's 3, g3's 3, then g4 would be refused.
    const items = [
      allowance('a'),
      generate('a', 'bad'),
      ...['g2', 'g3', 'g4'].map((id) => generate('a', id)),
    ];
    const decided = await writer.write(items, control);
    expect(decided?.map(({ outcome }) => outcome.undecidable !== null)).toEqual([
      false,
      true,
      false,
      false,
      false,
    ]);
    expect(
      decided?.map(({ outcome }) =>
        typeof outcome.decision === 'object' && outcome.decision ? outcome.decision.type : null,
      ),
    ).toEqual([null, null, 'GenerationCharged', 'GenerationCharged', 'GenerationCharged']);
    const ledger = await ledgerOf(store, 'a');
    expect(ledger).toEqual([
      'CreditsGranted',
      'GenerationCharged',
      'GenerationCharged',
      'GenerationCharged',
    ]);
    expect(counted).toBe(ledger.length);
  });

  it('given conflicts and an unavailable store in turn, then the bounds still hold over the whole write', async () => {
    const store = new InMemoryEventStore();
    const other = writerOn(store).writer;
    const flapping = intercepted(store, async (_appends, call) => {
      if (call % 2 === 1) throw new EventStoreUnavailableError('connection reset');
      await other.write([topUp('a')], control);
    });
    const failure = await writerOn(flapping)
      .writer.write([allowance('a')], control)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WriteGivenUpError);
    expect((failure as WriteGivenUpError).attempts).toBeLessThanOrEqual(
      WRITE_BOUNDS.waits + WRITE_BOUNDS.conflicts + 1,
    );
  });

  it('given the store is away for three attempts, then the writer waits with growing backoff and writes once it is back', async () => {
    const store = new InMemoryEventStore();
    const away = intercepted(store, (_appends, call) => {
      if (call <= 3) throw new EventStoreUnavailableError('connection refused');
    });
    const pauses: number[] = [];
    const { writer, seen } = writerOn(away, pauses);
    const decided = await writer.write([allowance('a')], control);
    expect(eventsOf(decided)).toEqual([1]);
    expect(seen.waits).toEqual(['unavailable', 'unavailable', 'unavailable']);
    // Each wait is within its doubling ceiling: 200, 400, 800 ms, at least half of it.
    pauses.forEach((ms, index) => {
      const ceiling = WRITE_BOUNDS.backoff.initialMs * 2 ** index;
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThanOrEqual(ceiling);
    });
    expect(await ledgerOf(store, 'a')).toEqual(['CreditsGranted']);
  });

  it('given an error the writer does not know, then it is waited out and tried again, and never blamed on the data', async () => {
    const store = new InMemoryEventStore();
    const odd = intercepted(store, (_appends, call) => {
      if (call === 1) throw new TypeError('something no one foresaw');
    });
    const { writer, seen } = writerOn(odd);
    const decided = await writer.write([allowance('a')], control);
    expect(seen.waits).toEqual(['unknown']);
    expect(decided?.map(({ outcome }) => outcome.undecidable)).toEqual([null]);
    expect(await ledgerOf(store, 'a')).toEqual(['CreditsGranted']);
  });

  it('given the store stays away past the bound, then the write is given up with the cause, nothing skipped', async () => {
    const store = new InMemoryEventStore();
    const gone = intercepted(store, () => {
      throw new EventStoreUnavailableError('connection refused');
    });
    const pauses: number[] = [];
    const failure = await writerOn(gone, pauses)
      .writer.write([allowance('a')], control)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WriteGivenUpError);
    expect(failure).toMatchObject({ failure: 'unavailable', attempts: WRITE_BOUNDS.waits + 1 });
    expect((failure as Error).cause).toBeInstanceOf(EventStoreUnavailableError);
    expect(pauses).toHaveLength(WRITE_BOUNDS.waits);
    expect(await ledgerOf(store, 'a')).toEqual([]);
  });

  it('given every append conflicts, then the write is given up past the bound of conflicts', async () => {
    const store = new InMemoryEventStore();
    const other = writerOn(store).writer;
    const busy = intercepted(store, async () => {
      await other.write([allowance('a')], control);
    });
    const failure = await writerOn(busy)
      .writer.write([allowance('a')], control)
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ failure: 'conflict', attempts: WRITE_BOUNDS.conflicts + 1 });
    // Only the other writer's appends are there.
    expect(await ledgerOf(store, 'a')).toHaveLength(WRITE_BOUNDS.conflicts + 1);
  });

  it('given the partition is taken away while the writer waits for the store, then it stops with nothing written', async () => {
    const store = new InMemoryEventStore();
    const away = intercepted(store, () => {
      throw new EventStoreUnavailableError('connection refused');
    });
    const { writer } = writerOn(away, [], () => false);
    expect(await writer.write([allowance('a')], control)).toBeNull();
    expect(await ledgerOf(store, 'a')).toEqual([]);
  });
});
