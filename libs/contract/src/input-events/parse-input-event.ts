import { validateSync, type ValidationError } from 'class-validator';
import { strictInstantMillis } from '@credits/domain/instants';
import { onlyTimeProblems } from '../time/is-instant';
import {
  DATA_CLASSES,
  EDITOR_EVENT_TYPES,
  InputEventEnvelope,
  INPUT_TOPIC_NAMES,
  inputTopicOf,
  type InputEvent,
  type InputTopic,
} from './input-event.dto';

/** Why a message went to the dead-letter topic; the `dlq-reason` header carries it. */
export type RejectionReason =
  | 'oversize'
  | 'invalid_json'
  | 'unknown_type'
  | 'invalid_event'
  | 'invalid_time'
  | 'key_mismatch'
  /** A billing type on editor-events, or a usage type on billing-events. */
  | 'wrong_topic'
  /** Valid by the contract, but deciding or encoding it failed: the error is in the details. */
  | 'undecidable';

export interface Rejection {
  readonly reason: RejectionReason;
  /** One line per problem, naming the field: `data.credits must be an integer number`. */
  readonly details: string[];
}

export type ParseResult = { readonly event: InputEvent } | { readonly rejection: Rejection };

/** Far above any real wire event; a bigger value is a producer bug, not a charge. */
export const MAX_EDITOR_EVENT_BYTES = 64 * 1024;

/** One line per problem, each naming its field by its path (`data.credits must be ...`). */
export function describeValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const field = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? `${prefix}${message}` : `${field}: ${message}`,
    );
    return [...own, ...describeValidationErrors(error.children ?? [], `${field}.`)];
  });
}

function problems(type: new () => object, plain: unknown, prefix: string): ValidationError[] {
  // A plain copy onto the class's prototype is all class-validator needs; class-transformer's
  // plainToInstance costs several times more and converts nothing here.
  const instance = Object.assign(Object.create(type.prototype) as object, plain);
  // The envelope may carry CloudEvents extension attributes; the data has exactly the contract's fields.
  const strict = prefix === 'data.';
  return validateSync(instance as object, { whitelist: strict, forbidNonWhitelisted: strict });
}

/** What no single field's check can see: an allowance period that ends before it starts. */
function crossFieldProblems(body: Record<string, unknown>): string[] {
  if (body.type !== 'AllowanceGranted') return [];
  const data = body.data as { periodStart: string; periodEnd: string };
  const start = strictInstantMillis(data.periodStart) as number;
  const end = strictInstantMillis(data.periodEnd) as number;
  return end > start ? [] : ['data.periodEnd must be after data.periodStart'];
}

/**
 * Checks a decoded JSON value against the contract: the envelope, then the data of its type. A
 * message whose only problems are its times is `invalid_time`; any other problem makes it
 * `invalid_event`, with every problem named.
 */
export function validateInputEvent(value: unknown): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { rejection: { reason: 'invalid_event', details: ['the event must be a JSON object'] } };
  const body = value as Record<string, unknown>;
  if (
    typeof body.type === 'string' &&
    !(EDITOR_EVENT_TYPES as readonly string[]).includes(body.type)
  )
    return {
      rejection: {
        reason: 'unknown_type',
        details: [
          `type ${JSON.stringify(body.type)} is not one of ${EDITOR_EVENT_TYPES.join(', ')}`,
        ],
      },
    };
  const envelope = problems(InputEventEnvelope, body, '');
  const dataClass = DATA_CLASSES[body.type as keyof typeof DATA_CLASSES];
  const data =
    dataClass && typeof body.data === 'object' && body.data !== null
      ? problems(dataClass, body.data, 'data.')
      : [];
  const found = [...envelope, ...data];
  if (found.length > 0)
    return {
      rejection: {
        reason: onlyTimeProblems(found) ? 'invalid_time' : 'invalid_event',
        details: [
          ...describeValidationErrors(envelope),
          ...describeValidationErrors(data, 'data.'),
        ],
      },
    };
  const crossField = crossFieldProblems(body);
  if (crossField.length > 0) return { rejection: { reason: 'invalid_event', details: crossField } };
  return { event: body as unknown as InputEvent };
}

/**
 * Checks one Kafka message of an input topic: its size, its JSON, the contract, that its type
 * belongs on that topic (only billing may write billing-events, so a billing type arriving on
 * editor-events was published by someone who may not mint credits), and that its key is its
 * subject (otherwise its order among the account's other events can't be trusted).
 */
export function parseInputEventMessage(
  key: Buffer | null | undefined,
  value: Buffer | null | undefined,
  topic: InputTopic,
  maxBytes = MAX_EDITOR_EVENT_BYTES,
): ParseResult {
  if (value && value.length > maxBytes)
    return {
      rejection: {
        reason: 'oversize',
        details: [`the value is ${value.length} bytes, more than ${maxBytes}`],
      },
    };
  let decoded: unknown;
  try {
    decoded = JSON.parse(value?.toString('utf8') ?? '');
  } catch (error) {
    return { rejection: { reason: 'invalid_json', details: [(error as Error).message] } };
  }
  const result = validateInputEvent(decoded);
  if ('rejection' in result) return result;
  const belongsOn = inputTopicOf(result.event.type);
  if (belongsOn !== topic)
    return {
      rejection: {
        reason: 'wrong_topic',
        details: [
          `${result.event.type} belongs on ${INPUT_TOPIC_NAMES[belongsOn]}, not ${INPUT_TOPIC_NAMES[topic]}`,
        ],
      },
    };
  const keyText = key?.toString('utf8') ?? null;
  if (keyText !== result.event.subject)
    return {
      rejection: {
        reason: 'key_mismatch',
        details: [
          `the key ${keyText === null ? '(none)' : JSON.stringify(keyText)} is not the subject ${JSON.stringify(result.event.subject)}`,
        ],
      },
    };
  return result;
}
