import { kafkajsRequestQueue } from './kafkajs-request-queue';

type Queue = {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  destroy(): void;
};

const queues: Queue[] = [];
// Also after a failed assertion: kafkajs alone would keep its timer going, and jest with it.
afterEach(() => queues.splice(0).forEach((queue) => queue.destroy()));

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

describe("kafkajs's request queue, as libs/kafka fixes it (tulios/kafkajs#1704, #1751)", () => {
  it('given nothing pending and no throttle, when it checks its queue, then it schedules no next check', () => {
    const queue = idleQueue();
    queue.checkPendingRequests();
    // kafkajs 2.2.4 alone: a timer at a negative delay here, again and again every millisecond.
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('given a request waiting, then it still schedules the check kafkajs would', () => {
    const queue = idleQueue();
    queue.pending.push({});
    queue.throttledUntil = Date.now() + 60_000;
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
  });
});
