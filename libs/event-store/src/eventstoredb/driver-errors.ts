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

// gRPC status codes some client paths pass through untranslated: CANCELLED, DEADLINE_EXCEEDED,
// UNAVAILABLE (the batch append reports a refused connection this way).
const TRANSIENT_GRPC_CODES = new Set([1, 4, 14]);

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
  return typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code);
}

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
  if (isTransient(error))
    return new EventStoreUnavailableError(`EventStoreDB is unavailable: ${message}`, {
      cause: error,
    });
  return new EventStoreFailure(`EventStoreDB: ${message}`, { cause: error });
}
