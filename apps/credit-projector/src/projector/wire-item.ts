import type { KafkaMessage } from 'kafkajs';
import type { PinoLogger } from 'nestjs-pino';
import type { InputEventType, Rejection } from '@credits/contract';
import type { ItemOutcome, LedgerItem } from './decide-chunk';
import type { ParseVerdict } from './parsing/parsing.messages';
import type { DeadLetter } from './projector-producer';

/**
 * One Kafka message on its way through its chunk's stages: from its parse on, it carries its
 * command or the contract's refusal, and, once the chunk is durable, what came of it.
 */
export type WireItem = CommandMessage | RefusedMessage;

/** A valid wire event: the account command it asks for. */
export interface CommandMessage extends LedgerItem {
  readonly message: KafkaMessage;
  readonly type: InputEventType;
  /** Set once its chunk's appends are durable (the decision, if any, read back by then). */
  outcome: ItemOutcome | null;
}

/** A message the contract refused, and why. */
export interface RefusedMessage {
  readonly message: KafkaMessage;
  readonly rejection: Rejection;
}

/** Where a chunk's messages were read, as dead letters and logs name it. */
export interface MessageOrigin {
  /** The topic's name in this deployment (prefixed). */
  readonly topic: string;
  readonly partition: number;
}

export function wireItemsOf(
  messages: readonly KafkaMessage[],
  verdicts: readonly ParseVerdict[],
): WireItem[] {
  return messages.map((message, index) => {
    const verdict = verdicts[index] as ParseVerdict;
    return 'rejection' in verdict
      ? { message, ...verdict }
      : { message, ...verdict, outcome: null };
  });
}

export function isCommand(item: WireItem): item is CommandMessage {
  return 'command' in item;
}

/** How the metrics count an item once its chunk is done. */
export function outcomeLabel(item: WireItem): 'applied' | 'duplicate' | 'dead_lettered' {
  if (!isCommand(item) || item.outcome?.undecidable) return 'dead_lettered';
  return (item.outcome?.ledgerEvents ?? 0) > 0 ? 'applied' : 'duplicate';
}

/** Enough of an error to find its cause from the dead letter, and no more. */
const MAX_ERROR_DETAIL_CHARS = 2_000;
const STACK_FRAMES_KEPT = 5;

/**
 * The chunk's dead letters: messages the contract refused, and valid ones that could not be
 * decided, encoded or stored, each with the error and the top of its stack. One message never
 * stops its partition, and once the cause is fixed `credits dlq replay` can put it back.
 */
export function deadLettersOf(
  { topic, partition }: MessageOrigin,
  items: readonly WireItem[],
  logger: PinoLogger,
): DeadLetter[] {
  // Only these two: the caller's object may be a whole chunk, messages and all.
  const from = { topic, partition };
  const letters: DeadLetter[] = [];
  for (const item of items) {
    const kafka = { ...from, offset: item.message.offset };
    if (!isCommand(item)) {
      logger.warn({ kafka, ...item.rejection }, 'dead-lettered a wire event');
      letters.push(deadLetterOf(item.message, from, item.rejection));
      continue;
    }
    const error = item.outcome?.undecidable;
    if (!error) continue;
    logger.error(
      { kafka, accountId: item.accountId, error: error.message, stack: error.stack },
      'dead-lettered a wire event that could not be decided',
    );
    const stack = (error.stack ?? '')
      .split('\n')
      .slice(1, 1 + STACK_FRAMES_KEPT)
      .map((line) => line.trim());
    // The class says more than `name`, which subclasses of Error rarely set.
    const kind = error.constructor?.name || error.name;
    const details = [`${kind}: ${error.message}`, ...stack].map((line) =>
      line.slice(0, MAX_ERROR_DETAIL_CHARS),
    );
    letters.push(deadLetterOf(item.message, from, { reason: 'undecidable', details }));
  }
  return letters;
}

function deadLetterOf(
  message: KafkaMessage,
  from: MessageOrigin,
  rejection: Rejection,
): DeadLetter {
  return {
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    topic: from.topic,
    partition: from.partition,
    offset: message.offset,
    rejection,
  };
}
