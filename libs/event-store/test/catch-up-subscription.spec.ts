import fc from 'fast-check';
import {
  backoffDelay,
  CatchUpSubscription,
  EventStoreUnavailableError,
  positionOf,
  type AllPage,
  type ReadAllOptions,
  type RecordedEvent,
} from '@credits/event-store';

/** A log held in memory, read the way the adapters read: pages after an exclusive position. */
function logOf(count: number): RecordedEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    streamName: 'test-a',
    revision: BigInt(index),
    id: `event-${index}`,
    type: 'SomethingHappened',
    data: {},
    metadata: null,
    position: positionOf(1n, BigInt(index + 1)),
    recordedAt: new Date(0),
  }));
}

function pageOf(log: RecordedEvent[], options: ReadAllOptions): AllPage {
  const after = options.from === 'start' ? -1 : log.findIndex((e) => e.position === options.from);
  const events = log.slice(after + 1, after + 1 + options.maxCount);
  return {
    events,
    lastPosition: events.at(-1)?.position ?? null,
    isEnd: events.length < options.maxCount,
  };
}

async function settle(subscription: CatchUpSubscription, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
  await subscription.stop();
}

describe('catch-up subscription', () => {
  it('backoff stays between half the ceiling and the ceiling, and never above the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 1_000 }),
        (attempt, initial) => {
          const max = initial * 20;
          const delay = backoffDelay(attempt, initial, max);
          const ceiling = Math.min(max, initial * 2 ** (attempt - 1));
          return delay >= Math.floor(ceiling / 2) && delay <= ceiling;
        },
      ),
    );
  });

  it('given reads that fail transiently, then it retries with growing delays and delivers every event once, in order', async () => {
    const log = logOf(10);
    let failuresLeft = 3;
    const delays: number[] = [];
    const seen: string[] = [];
    const subscription = new CatchUpSubscription(
      async (options) => {
        if (failuresLeft > 0 && options.from !== 'start') {
          failuresLeft -= 1;
          throw new EventStoreUnavailableError('down');
        }
        return pageOf(log, options);
      },
      {
        from: 'start',
        pageSize: 4,
        pollIntervalMs: 1,
        backoff: { initialMs: 2, maxMs: 8 },
        handle: async (events) => {
          seen.push(...events.map((event) => event.id));
        },
        onRetry: (_error, _attempt, delayMs) => delays.push(delayMs),
      },
    );
    await settle(subscription, () => seen.length === 10);
    expect(seen).toEqual(log.map((event) => event.id));
    expect(delays).toHaveLength(3);
    expect(delays.every((delay) => delay <= 8)).toBe(true);
  });

  it('given a handler that fails transiently, then the same page comes again and the checkpoint does not move past it', async () => {
    const log = logOf(3);
    let handled = 0;
    const pages: string[][] = [];
    const subscription = new CatchUpSubscription(async (options) => pageOf(log, options), {
      from: 'start',
      pollIntervalMs: 1,
      backoff: { initialMs: 1, maxMs: 2 },
      handle: async (events) => {
        pages.push(events.map((event) => event.id));
        handled += 1;
        if (handled === 1) throw new EventStoreUnavailableError('read model down');
      },
    });
    await settle(subscription, () => pages.length === 2);
    expect(pages).toEqual([log.map((e) => e.id), log.map((e) => e.id)]);
    expect(subscription.checkpoint).toBe(log.at(-1)?.position);
  });

  it('given an error that is not transient, then the subscription ends with it', async () => {
    const subscription = new CatchUpSubscription(
      async () => {
        throw new TypeError('a bug');
      },
      { from: 'start', handle: async () => undefined },
    );
    await expect(subscription.done).rejects.toThrow('a bug');
  });
});
