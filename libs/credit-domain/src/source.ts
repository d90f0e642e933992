/** Where a wire event sat in Kafka, kept on every event it caused, for audit. */
export interface KafkaCoordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** The wire event a command came from. `id` is unique per `producer` (CloudEvents id + source). */
export interface SourceEvent {
  readonly id: string;
  readonly producer: string;
  readonly kafka?: KafkaCoordinates;
  /**
   * Who asked for it (the CloudEvents `publishedby` of the wire event): the quota service's key
   * id for what it publishes. An audit fact only: it decides nothing.
   */
  readonly publishedBy?: string;
  /**
   * The W3C trace context the wire event came with (its Kafka `traceparent` header), so a
   * decision can be followed back to the request that caused it. An audit fact only.
   */
  readonly traceparent?: string;
}

/**
 * The idempotency key of a wire event: the same id from the same producer is applied once. It
 * lives only in memory (states remember it), so its form may change between releases. The
 * separator is U+001F, which no CloudEvents source (a URI reference) holds: a key of one-byte
 * characters is half the memory of one with the printable U+241F, and quicker to hash.
 */
export function idempotencyKey(source: SourceEvent): string {
  return `${source.producer}\u001f${source.id}`;
}
