import type { KafkaMessage } from 'kafkajs';
import type { PinoLogger } from 'nestjs-pino';
import { commandOf, TRACEPARENT, validTraceparent, type ParseResult } from '@credits/contract';
import type { AccountCommandItem, UndecidableItem } from './decide-chunk';
import type { DeadLetter } from './projector-producer';

/** A chunk of one partition's messages: commands for the valid ones, dead letters for the rest. */
export interface SplitChunk {
  readonly items: AccountCommandItem[];
  /** The wire event type of each item, for the metrics. */
  readonly types: string[];
  /** The message of each item, to dead-letter it if it turns out undecidable. */
  readonly messages: KafkaMessage[];
  readonly deadLetters: DeadLetter[];
}

/** Enough of an error to find its cause from the dead letter, and no more. */
const MAX_ERROR_DETAIL_CHARS = 2_000;
const STACK_FRAMES_KEPT = 5;

function deadLetterOf(
  message: KafkaMessage,
  topic: string,
  partition: number,
  rejection: DeadLetter['rejection'],
): DeadLetter {
  return {
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    topic,
    partition,
    offset: message.offset,
    rejection,
  };
}

export function splitChunk(
  topic: string,
  partition: number,
  messages: readonly KafkaMessage[],
  results: readonly ParseResult[],
  logger: PinoLogger,
): SplitChunk {
  const chunk: SplitChunk = { items: [], types: [], messages: [], deadLetters: [] };
  for (const [index, message] of messages.entries()) {
    const parsed = results[index] as ParseResult;
    const kafka = { topic, partition, offset: message.offset };
    if ('rejection' in parsed) {
      logger.warn({ kafka, ...parsed.rejection }, 'dead-lettered a wire event');
      chunk.deadLetters.push(deadLetterOf(message, topic, partition, parsed.rejection));
      continue;
    }
    chunk.items.push({
      accountId: parsed.event.subject,
      command: commandOf(parsed.event, kafka, validTraceparent(message.headers?.[TRACEPARENT])),
    });
    chunk.types.push(parsed.event.type);
    chunk.messages.push(message);
  }
  return chunk;
}

/**
 * Valid messages that could not be decided, encoded or stored: each is dead-lettered with the
 * error and the top of its stack, so one message never stops its partition (and, once the cause
 * is fixed, `credits dlq replay` can put it back).
 */
export function undecidableLetters(
  topic: string,
  partition: number,
  chunk: SplitChunk,
  undecidable: readonly UndecidableItem[],
  logger: PinoLogger,
): DeadLetter[] {
  return undecidable.map(({ index, error }) => {
    const message = chunk.messages[index] as KafkaMessage;
    const item = chunk.items[index] as AccountCommandItem;
    logger.error(
      {
        kafka: { topic, partition, offset: message.offset },
        accountId: item.accountId,
        error: error.message,
        stack: error.stack,
      },
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
    return deadLetterOf(message, topic, partition, { reason: 'undecidable', details });
  });
}
