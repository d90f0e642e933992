import type { TopicMessages } from 'kafkajs';
import { CoalescingSender, SendQueueFullError } from './coalescing-sender';

/** A stand-in for the producer whose requests stay in flight until the test answers them. */
function broker() {
  const requests: { batch: TopicMessages[]; answer: (error?: Error) => void }[] = [];
  const waiting: (() => void)[] = [];
  const sendBatch = (batch: TopicMessages[]) =>
    new Promise<void>((resolve, reject) => {
      requests.push({ batch, answer: (error) => (error ? reject(error) : resolve()) });
      waiting.shift()?.();
    });
  /** Resolves once the `n`th request (from 1) is in flight. */
  const request = async (n: number) => {
    while (requests.length < n) await new Promise<void>((resolve) => waiting.push(resolve));
    return requests[n - 1] as (typeof requests)[number];
  };
  return { sendBatch, request, requests };
}

const message = (key: string) => ({ key, value: key });
const keysOf = (batch: TopicMessages[]) =>
  batch.map(({ topic, messages }) => [topic, messages.map(({ key }) => key)]);

describe('CoalescingSender', () => {
  it('given a request in flight, when more messages arrive, then they go together in the next request, in their order, grouped by topic', async () => {
    const { sendBatch, request } = broker();
    const sender = new CoalescingSender(sendBatch, { maxQueuedMessages: 10, maxBatchMessages: 10 });
    const first = sender.send('editor-events', message('a'));
    const inFlight = await request(1);
    const later = [
      sender.send('editor-events', message('b')),
      sender.send('billing-events', message('c')),
      sender.send('editor-events', message('d')),
    ];
    expect(sender.queued).toBe(3);

    inFlight.answer();
    await first;
    const next = await request(2);
    expect(keysOf(next.batch)).toEqual([
      ['editor-events', ['b', 'd']],
      ['billing-events', ['c']],
    ]);
    next.answer();
    await Promise.all(later);
    expect(sender.queued).toBe(0);
  });

  it('given a request that fails, when it is answered, then only its messages fail and the next request goes on', async () => {
    const { sendBatch, request } = broker();
    const sender = new CoalescingSender(sendBatch, { maxQueuedMessages: 10, maxBatchMessages: 10 });
    const failing = sender.send('t', message('a'));
    const inFlight = await request(1);
    const after = sender.send('t', message('b'));

    inFlight.answer(new Error('broker down'));
    await expect(failing).rejects.toThrow('broker down');
    (await request(2)).answer();
    await expect(after).resolves.toBeUndefined();
  });

  it('given more messages waiting than one request carries, when they are sent, then they go in requests of at most that many', async () => {
    const { sendBatch, request } = broker();
    const sender = new CoalescingSender(sendBatch, { maxQueuedMessages: 10, maxBatchMessages: 2 });
    const sent = ['a', 'b', 'c', 'd', 'e', 'f'].map((key) => sender.send('t', message(key)));
    const sizes: string[][] = [];
    for (let n = 1; n <= 4; n += 1) {
      const next = await request(n);
      sizes.push(next.batch.flatMap(({ messages }) => messages.map(({ key }) => String(key))));
      next.answer();
    }
    await Promise.all(sent);
    expect(sizes).toEqual([['a'], ['b', 'c'], ['d', 'e'], ['f']]);
  });

  it('given as many messages waiting as allowed, when one more comes, then it is refused at once and the others are still sent', async () => {
    const { sendBatch, request } = broker();
    const sender = new CoalescingSender(sendBatch, { maxQueuedMessages: 2, maxBatchMessages: 10 });
    const first = sender.send('t', message('a'));
    const inFlight = await request(1);
    const waiting = [sender.send('t', message('b')), sender.send('t', message('c'))];

    await expect(sender.send('t', message('d'))).rejects.toThrow(SendQueueFullError);
    inFlight.answer();
    (await request(2)).answer();
    await Promise.all([first, ...waiting]);
  });

  it('given several messages queued together that two requests carry, then their promise settles when both have, and fails if either does', async () => {
    const { sendBatch, request } = broker();
    const sender = new CoalescingSender(sendBatch, { maxQueuedMessages: 10, maxBatchMessages: 2 });
    const first = sender.send('t', message('a'));
    const inFlight = await request(1);
    let settled = false;
    const together = sender
      .sendAll('t', ['b', 'c', 'd'].map(message))
      .finally(() => (settled = true));
    inFlight.answer();
    await first;
    (await request(2)).answer();
    // b and c acknowledged, d not yet: the promise of all three waits.
    const last = await request(3);
    expect(keysOf(last.batch)).toEqual([['t', ['d']]]);
    expect(settled).toBe(false);
    last.answer(new Error('broker down'));
    await expect(together).rejects.toThrow('broker down');
  });

  it('given more messages queued together than may wait, then none of them is queued', async () => {
    const { sendBatch } = broker();
    const sender = new CoalescingSender(sendBatch, { maxQueuedMessages: 2, maxBatchMessages: 10 });
    await expect(sender.sendAll('t', ['a', 'b', 'c'].map(message))).rejects.toThrow(
      SendQueueFullError,
    );
    expect(sender.queued).toBe(0);
  });
});
