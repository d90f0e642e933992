import type { Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';

/**
 * Broker answers after which an idempotent producer's sequence numbers no longer match the
 * broker's. kafkajs 2.2.4 treats them as final and keeps the producer id, so every later send to
 * that partition fails the same way: after a broker restart the projector's dead letters and
 * decisions to one partition failed 28 times in a row, and the consumer partition whose chunks
 * wrote them made no progress for five minutes. A new producer id starts its sequences afresh.
 */
const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/** Whether a send failed because the producer's id or sequences are out of step with the broker. */
export function isProducerStateError(thrown: unknown): boolean {
  // kafkajs wraps the broker's answer (KafkaJSNonRetriableError's cause), sometimes twice.
  let error = thrown as { type?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; depth < 5 && error; depth += 1) {
    if (typeof error.type === 'string' && PRODUCER_STATE_ERRORS.has(error.type)) return true;
    error = error.cause as typeof error;
  }
  return false;
}

export interface RenewableProducerHooks {
  /** The producer was replaced by a new one after `cause`. */
  renewed(cause: unknown): void;
}

/**
 * A kafkajs producer that is replaced by a new one (a new producer id) when the broker says its
 * sequences are out of step, and the failed send tried once more on the new one. A send that fails
 * on a producer replaced meanwhile is tried once more too. Anything else is the caller's to handle,
 * as with a plain producer: a second failure, or a replacement that cannot connect (the old
 * producer is kept, and the next such failure tries again).
 *
 * Only for sends that may be written twice: a renewed producer cannot tell the broker that a
 * batch it wrote before is the same one. The projector's letters and decisions are at least once.
 */
export class RenewableProducer {
  private current: Producer;
  private generation = 0;
  private renewing: Promise<void> | null = null;

  constructor(
    private readonly create: () => Producer,
    private readonly hooks: RenewableProducerHooks,
  ) {
    this.current = create();
  }

  connect(): Promise<void> {
    return this.current.connect();
  }

  async disconnect(): Promise<void> {
    await this.renewing?.catch(() => undefined);
    await this.current.disconnect();
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.tryTwice((producer) => producer.send(record));
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.tryTwice((producer) => producer.sendBatch(batch));
  }

  private async tryTwice(
    send: (producer: Producer) => Promise<RecordMetadata[]>,
  ): Promise<RecordMetadata[]> {
    const generation = this.generation;
    try {
      return await send(this.current);
    } catch (error) {
      if (generation === this.generation) {
        if (!isProducerStateError(error)) throw error;
        await this.renew(generation, error);
      }
      return send(this.current);
    }
  }

  /** One replacement for all the sends that failed on the same producer. */
  private renew(generation: number, cause: unknown): Promise<void> {
    if (generation !== this.generation) return Promise.resolve();
    this.renewing ??= this.replace(cause).finally(() => (this.renewing = null));
    return this.renewing;
  }

  private async replace(cause: unknown): Promise<void> {
    const next = this.create();
    try {
      await next.connect();
    } catch (error) {
      await next.disconnect().catch(() => undefined);
      throw error;
    }
    const old = this.current;
    this.current = next;
    this.generation += 1;
    this.hooks.renewed(cause);
    // Its sends still in flight fail and are tried again on the new one (see send).
    await old.disconnect().catch(() => undefined);
  }
}
