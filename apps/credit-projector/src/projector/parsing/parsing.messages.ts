import type { InputEventType, InputTopic, Rejection } from '@credits/contract';
import type { AccountCommand } from '@credits/domain';

/**
 * A chunk of one partition's Kafka messages for the parsing thread. Keys and values travel
 * packed in one buffer, moved rather than copied: posting a message's own Buffer would copy the
 * whole fetch response it is a view of. `lengths` holds each message's key length then its value
 * length, in order, -1 for none.
 */
export interface ParseRequest {
  readonly kind: 'parse';
  readonly id: number;
  /** Which input topic the messages came from: what the contract checks them against. */
  readonly inputTopic: InputTopic;
  /** That topic's name in this deployment (prefixed): what each command's source names. */
  readonly topic: string;
  readonly partition: number;
  readonly bytes: Uint8Array;
  readonly lengths: Int32Array;
  /** Per message: its offset, which its command's source names. */
  readonly offsets: string[];
  /** Per message: its valid `traceparent` header, or null. */
  readonly traceparents: (string | null)[];
}

/** What one message asks for: the account command of a valid wire event, or why it is not one. */
export type ParseVerdict =
  | { readonly type: InputEventType; readonly accountId: string; readonly command: AccountCommand }
  | { readonly rejection: Rejection };

export interface ParseVerdicts {
  readonly kind: 'verdicts';
  readonly id: number;
  /** Per message, in order. */
  readonly verdicts: ParseVerdict[];
}
