import {
  ClaimConflictError,
  DuplicateEventIdError,
  EventStoreError,
  EventStoreFailure,
  EventStoreFullError,
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../port/errors';
import { isDatabaseUnavailable, isOutOfDiskSpace } from '@credits/postgres';
import type { ExpectedRevision } from '../port/event-store';

interface PgError {
  code?: string;
  detail?: string;
  constraint?: string;
  message?: string;
}

/** The port's error for a pg driver error; `expectedOf` names what an append expected of a stream. */
export function translatePgError(
  error: unknown,
  expectedOf: (stream: string) => ExpectedRevision = () => 'any',
): EventStoreError {
  if (error instanceof EventStoreError) return error;
  const pg = (error ?? {}) as PgError;
  if (pg.code === 'EV409') {
    const { stream, actual } = JSON.parse(pg.detail ?? '{}') as {
      stream: string;
      actual: string | null;
    };
    return new WrongExpectedRevisionError(
      stream,
      expectedOf(stream),
      actual === null ? 'no_stream' : BigInt(actual),
      { cause: error },
    );
  }
  if (pg.code === 'EV410') {
    const { stream, claim } = JSON.parse(pg.detail ?? '{}') as { stream: string; claim: string };
    return new ClaimConflictError(stream, claim, { cause: error });
  }
  if (pg.code === '23505' && pg.constraint === 'es_events_stream_event_id_key') {
    const stream =
      /\(stream_name, event_id\)=\((.*), [0-9a-f-]+\)/.exec(pg.detail ?? '')?.[1] ?? '?';
    return new DuplicateEventIdError(stream, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  // Class 22, data exception: a value PostgreSQL cannot hold (a NUL or a lone surrogate in a
  // jsonb string, say). Retrying cannot help; the data itself must not be written.
  if (pg.code?.startsWith('22'))
    return new InvalidAppendError(`PostgreSQL cannot store this data: ${message}`, {
      cause: error,
    });
  // Two appends that lock the same streams in another order: one is chosen to fail and retry.
  if (pg.code === '40P01' || pg.code === '40001')
    return new EventStoreUnavailableError(`PostgreSQL aborted a concurrent append: ${message}`, {
      cause: error,
    });
  if (isOutOfDiskSpace(pg))
    return new EventStoreFullError(`PostgreSQL is out of disk space: ${message}`, {
      cause: error,
    });
  if (isDatabaseUnavailable(pg))
    return new EventStoreUnavailableError(`PostgreSQL is unavailable: ${message}`, {
      cause: error,
    });
  return new EventStoreFailure(`PostgreSQL event store: ${message}`, { cause: error });
}
