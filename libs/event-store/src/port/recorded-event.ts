import type { Position } from './positions';

/**
 * What an append expects of the stream, in EventStoreDB's words: anything, no stream yet, some
 * stream, or exactly this revision (of the stream's last event; revisions count from 0).
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;
export type CurrentRevision = 'no_stream' | bigint;

export type JsonObject = { readonly [key: string]: unknown };

/** An event to append. `id` is a UUID: retrying an append with the same ids is harmless. */
export interface EventData {
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata?: JsonObject;
  /** Keys this event claims in its stream, once for the store's life (see `claims.ts`). */
  readonly claims?: readonly string[];
}

export interface RecordedEvent {
  readonly streamName: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject | null;
  readonly position: Position;
  readonly recordedAt: Date;
}
