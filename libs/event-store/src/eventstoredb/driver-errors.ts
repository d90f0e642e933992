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

// gRPC status codes some client paths pass through untranslated: CANCELLED, DEADLINE_EXCEEDED,
// UNAVAILABLE (the batch append reports a refused connection this way).
const TRANSIENT_GRPC_CODES = new Set([1, 4, 14]);

// The server's answers while it starts, catches up or sheds load ("Server Is Not Ready", "Server
// Is Too Busy"). A batch append returns them as a status the client does not recognise, so
// only their words say they will pass.
const PASSING_SERVER_STATE = /not ready|too busy|server is busy/i;

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
  if (error instanceof AppendRecordSizeExceededError)
    return new InvalidAppendError(
      `EventStoreDB refused an event of ${context.stream ?? '?'}: ${String(error.size)} bytes, over its ${String(error.maxSize)}`,
      { cause: error },
    );
  const message = error instanceof Error ? error.message : String(error);
  if (isTransient(error))
    return new EventStoreUnavailableError(`EventStoreDB is unavailable: ${message}`, {
      cause: error,
    });
  return new EventStoreFailure(`EventStoreDB: ${message}`, { cause: error });
}
