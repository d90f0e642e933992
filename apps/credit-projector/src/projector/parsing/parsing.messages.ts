import type { InputTopic, Rejection } from '@credits/contract';

/**
 * A chunk of Kafka messages for the parsing thread. Keys and values travel packed in one buffer,
 * moved rather than copied: posting a message's own Buffer would copy the whole fetch response
 * it is a view of. `lengths` holds each message's key length then its value length, in order,
 * -1 for none.
 */
export interface ParseRequest {
  readonly kind: 'parse';
  readonly id: number;
  /** The input topic the messages came from. */
  readonly topic: InputTopic;
  readonly bytes: Uint8Array;
  readonly lengths: Int32Array;
}

/** Per message, in order: null for a valid wire event, else why it is not one. */
export interface ParseVerdicts {
  readonly kind: 'verdicts';
  readonly id: number;
  readonly rejections: (Rejection | null)[];
}
