import type { Message, TopicMessages } from 'kafkajs';

/** The sender already holds as many messages as it may: the caller should refuse its request. */
export class SendQueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`${limit} messages are already waiting to be sent`);
    this.name = 'SendQueueFullError';
  }
}

export interface CoalescingSenderLimits {
  /** Messages waiting at once; past it `send` rejects at once with `SendQueueFullError`. */
  readonly maxQueuedMessages: number;
  /** Messages in one request: keeps a request well under the broker's size limit. */
  readonly maxBatchMessages: number;
}

interface Queued {
  readonly topic: string;
  readonly message: Message;
  readonly sent: { resolve: () => void; reject: (error: unknown) => void };
}

/**
 * Sends one request at a time, carrying every message that arrived while the one before was in
 * flight, in the order they arrived.
 *
 * Why: kafkajs's idempotent producer holds a lock on the broker for each request's whole round
 * trip, so concurrent sends wait one behind another. At 200 synchronous generations/s, each
 * sent alone, the wait for that lock grew to hundreds of milliseconds with the machine half
 * idle. Coalesced, a message waits at most for the request in flight, however many arrive.
 *
 * A message's promise settles with its request: a failed request fails every message in it (the
 * callers may send them again; the projector keeps an event's effect once).
 */
export class CoalescingSender {
  private readonly queue: Queued[] = [];
  private sending = false;

  constructor(
    private readonly sendBatch: (topicMessages: TopicMessages[]) => Promise<unknown>,
    private readonly limits: CoalescingSenderLimits,
  ) {}

  /** How many messages wait for a request. */
  get queued(): number {
    return this.queue.length;
  }

  send(topic: string, message: Message): Promise<void> {
    return this.sendAll(topic, [message]);
  }

  /**
   * Messages to one topic, in order, queued together: settles once every request carrying one
   * of them has (it fails with the first that fails). All or none of them are queued.
   */
  sendAll(topic: string, messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.queue.length + messages.length > this.limits.maxQueuedMessages)
      return Promise.reject(new SendQueueFullError(this.limits.maxQueuedMessages));
    return new Promise<void>((resolve, reject) => {
      let unsent = messages.length;
      let failed = false;
      const sent = {
        resolve: () => {
          unsent -= 1;
          if (unsent === 0 && !failed) resolve();
        },
        reject: (error: unknown) => {
          if (failed) return;
          failed = true;
          reject(error);
        },
      };
      for (const message of messages) this.queue.push({ topic, message, sent });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.limits.maxBatchMessages);
        try {
          await this.sendBatch(byTopic(batch));
          for (const { sent } of batch) sent.resolve();
        } catch (error) {
          for (const { sent } of batch) sent.reject(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}

/** The batch as kafkajs takes it: one entry per topic, each topic's messages in their order. */
function byTopic(batch: readonly Queued[]): TopicMessages[] {
  const topics = new Map<string, Message[]>();
  for (const { topic, message } of batch) {
    const messages = topics.get(topic) ?? [];
    if (messages.length === 0) topics.set(topic, messages);
    messages.push(message);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}
