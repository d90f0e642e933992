import { kafkajsRequestQueue } from './kafkajs-request-queue';

type Queue = {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  destroy(): void;
};

const queues: Queue[] = [];
// The queue reschedules its check for as long as it lives: jest would wait on it.
afterEach(() => {
  queues.splice(0).forEach((queue) => queue.destroy());
  jest.restoreAllMocks();
});

function idleQueue(): Queue {
  const RequestQueue = kafkajsRequestQueue() as unknown as new (options: object) => Queue;
  const logger = { debug: () => undefined, info: () => undefined, error: () => undefined };
  const queue = new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger,
  });
  queues.push(queue);
  return queue;
}

/**
 * The delays the queue asks of setTimeout while `work` runs: Node.js 24 prints a warning for a
 * negative one (and runs it after 1 ms).
 */
function delaysWhile(work: () => void): number[] {
  const delays: number[] = [];
  const setTimeoutItself = global.setTimeout;
  jest.spyOn(global, 'setTimeout').mockImplementation(((callback: () => void, delayMs: number) => {
    delays.push(delayMs);
    return setTimeoutItself(callback, delayMs);
  }) as typeof setTimeout);
  work();
  return delays;
}

describe("kafkajs's request queue, as libs/kafka fixes it (tulios/kafkajs#1751)", () => {
  it('given nothing pending and no throttle, when it checks its queue, then it schedules the next check in 1 ms, as Node.js would run it, and no negative delay', () => {
    const queue = idleQueue();
    // kafkajs 2.2.4 alone: minus the time since 1970, which Node.js 24 warns about.
    expect(delaysWhile(() => queue.checkPendingRequests())).toEqual([1]);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
  });

  it('given a request waiting while throttled, then it schedules the check for the throttle’s end', () => {
    const queue = idleQueue();
    queue.pending.push({});
    queue.throttledUntil = Date.now() + 60_000;
    const [delayMs] = delaysWhile(() => queue.checkPendingRequests());
    expect(delayMs).toBeGreaterThan(59_000);
    expect(delayMs).toBeLessThanOrEqual(60_000);
  });
});
