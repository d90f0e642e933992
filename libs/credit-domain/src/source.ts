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
}

// The key of the last source asked about. Deciding a command and folding the events it caused
// ask for the key of the same source object, and building it allocates a new string each time;
// a source is immutable, so the remembered key stays right.
let keyedSource: SourceEvent | null = null;
let sourceKey = '';

/**
 * The idempotency key of a wire event: the same id from the same producer is applied once. It
 * lives only in memory (states remember it), so its form may change between releases. The
 * separator is U+001F, which no CloudEvents source (a URI reference) holds: a key of one-byte
 * characters is half the memory of one with the printable U+241F, and quicker to hash.
 */
export function idempotencyKey(source: SourceEvent): string {
  if (source !== keyedSource) {
    sourceKey = `${source.producer}\u001f${source.id}`;
    keyedSource = source;
  }
  return sourceKey;
}
