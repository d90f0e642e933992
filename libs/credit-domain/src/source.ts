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

/** The idempotency key of a wire event: the same id from the same producer is applied once. */
export function idempotencyKey(source: SourceEvent): string {
  return `${source.producer}\u241f${source.id}`;
}
