import {
  DeadlineExceededError,
  NotLeaderError,
  StreamNotFoundError as DriverStreamNotFound,
  TimeoutError,
  UnavailableError,
  CancelledError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  EventStoreError,
  EventStoreFailure,
  EventStoreUnavailableError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '../port/errors';
import type { CurrentRevision, ExpectedRevision } from '../port/event-store';

function currentRevision(actual: unknown): CurrentRevision {
  return typeof actual === 'bigint' ? actual : 'no_stream';
}

/** The port's error for an @eventstore/db-client error. */
export function translateEsdbError(
  error: unknown,
  context: { stream?: string; expected?: ExpectedRevision } = {},
): EventStoreError {
  if (error instanceof EventStoreError) return error;
  if (error instanceof WrongExpectedVersionError) {
    return new WrongExpectedRevisionError(
      error.streamName || context.stream || '?',
      context.expected ?? (error.expectedVersion as ExpectedRevision),
      currentRevision(error.actualVersion),
      { cause: error },
    );
  }
  if (error instanceof DriverStreamNotFound)
    return new StreamNotFoundError(context.stream ?? String(error.streamName), { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof NotLeaderError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError
  )
    return new EventStoreUnavailableError(`EventStoreDB is unavailable: ${message}`, {
      cause: error,
    });
  return new EventStoreFailure(`EventStoreDB: ${message}`, { cause: error });
}
