import {
  AppendRecordSizeExceededError,
  CancelledError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamNotFoundError as DriverStreamNotFound,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import {
  EventStoreError,
  EventStoreFailure,
  EventStoreUnavailableError,
  InvalidAppendError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '../port/errors';
import type { CurrentRevision, ExpectedRevision } from '../port/event-store';
import type {
  DriverAppendResult,
  DriverEvent,
  DriverEventData,
  DriverReadAll,
  DriverReadStream,
  EsdbDriver,
  StreamLimits,
} from './driver';

// gRPC status codes some client paths pass through untranslated: CANCELLED, DEADLINE_EXCEEDED,
// UNAVAILABLE (the batch append reports a refused connection this way).
const TRANSIENT_GRPC_CODES = new Set([1, 4, 14]);

// The server's answers while it starts, catches up or sheds load ("Server Is Not Ready", "Server
// Is Busy"). A batch append returns them as a status the client does not recognise, and the
// reads' native bridge names few errors, so only their words say they will pass.
const PASSING_SERVER_STATE = /not ready|too busy|server is busy/i;
// An event over the server's MaxAppendEventSize: the batch append's client does not know this
// refusal either, and reports it by the server's name for it.
const EVENT_TOO_LARGE = /MaximumAppendEventSizeExceeded|maximum append event size/i;

function isTransient(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof NotLeaderError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError
  )
    return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code)) return true;
  return PASSING_SERVER_STATE.test(error instanceof Error ? error.message : String(error));
}

function currentRevision(actual: unknown): CurrentRevision {
  return typeof actual === 'bigint' ? actual : 'no_stream';
}

/** The port's error for a client error: driver errors never leave the adapter. */
export function translateEsdbError(
  error: unknown,
  context: { stream?: string; expected?: ExpectedRevision } = {},
): EventStoreError {
  if (error instanceof EventStoreError) return error;
  if (error instanceof WrongExpectedVersionError) {
    return new WrongExpectedRevisionError(
      error.streamName || context.stream || '?',
      context.expected ?? (error.expectedState as ExpectedRevision),
      currentRevision(error.actualState),
      { cause: error },
    );
  }
  if (error instanceof DriverStreamNotFound)
    return new StreamNotFoundError(context.stream ?? String(error.streamName), { cause: error });
  // Too large for the server: the data's fault, so a writer splits its chunk or sets the item
  // aside instead of retrying the same refusal for ever.
  if (error instanceof MaxAppendSizeExceededError)
    return new InvalidAppendError(
      `EventStoreDB refused the append to ${context.stream ?? '?'}: larger than its MaxAppendSize (${String(error.maxAppendSize)} bytes)`,
      { cause: error },
    );
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AppendRecordSizeExceededError || EVENT_TOO_LARGE.test(message))
    return new InvalidAppendError(
      `EventStoreDB refused an event of ${context.stream ?? '?'} as larger than its MaxAppendEventSize: ${message}`,
      { cause: error },
    );
  if (isTransient(error))
    return new EventStoreUnavailableError(`EventStoreDB is unavailable: ${message}`, {
      cause: error,
    });
  return new EventStoreFailure(`EventStoreDB: ${message}`, { cause: error });
}

/**
 * A driver whose errors are the port's: every call of the adapter goes through it, so a
 * client error never leaves the adapter and each is classed here once.
 */
export class TranslatedDriver implements EsdbDriver {
  constructor(private readonly driver: EsdbDriver) {}

  async append(
    stream: string,
    events: readonly DriverEventData[],
    expected: ExpectedRevision,
  ): Promise<DriverAppendResult> {
    try {
      return await this.driver.append(stream, events, expected);
    } catch (error) {
      throw translateEsdbError(error, { stream, expected });
    }
  }

  readStream(stream: string, options: DriverReadStream): AsyncIterable<DriverEvent> {
    return translated(this.driver.readStream(stream, options), { stream });
  }

  readAll(options: DriverReadAll): AsyncIterable<DriverEvent> {
    return translated(this.driver.readAll(options), {});
  }

  async setStreamLimits(stream: string, limits: StreamLimits): Promise<void> {
    try {
      await this.driver.setStreamLimits(stream, limits);
    } catch (error) {
      throw translateEsdbError(error, { stream: `$$${stream}` });
    }
  }

  dispose(): Promise<void> {
    return this.driver.dispose();
  }
}

async function* translated(
  events: AsyncIterable<DriverEvent>,
  context: { stream?: string },
): AsyncIterable<DriverEvent> {
  try {
    yield* events;
  } catch (error) {
    throw translateEsdbError(error, context);
  }
}
