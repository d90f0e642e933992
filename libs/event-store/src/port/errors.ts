import type { CurrentRevision, ExpectedRevision } from './recorded-event';

/** Every failure the port reports; adapters translate driver errors into these. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

/** The stream was not at the revision the append expected. */
export class WrongExpectedRevisionError extends EventStoreError {
  readonly code = 'wrong_expected_revision';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: CurrentRevision,
    options?: ErrorOptions,
  ) {
    super(
      `stream ${stream} is at revision ${String(actual)}, the append expected ${String(expected)}`,
      options,
    );
  }
}

export class StreamNotFoundError extends EventStoreError {
  readonly code = 'stream_not_found';
  constructor(
    readonly stream: string,
    options?: ErrorOptions,
  ) {
    super(`stream ${stream} has no events`, options);
  }
}

/** The store did not answer, or dropped the connection: worth retrying later. */
export class EventStoreUnavailableError extends EventStoreError {
  readonly code = 'unavailable';
}

/**
 * The store has no space left to write (PostgreSQL's disk_full). Not the data's fault, and not
 * over by itself: writes wait, and an operator must free or add space.
 */
export class EventStoreFullError extends EventStoreError {
  readonly code = 'store_full';
}

/** An event id already stored elsewhere in the stream: a retry that does not match its first try. */
export class DuplicateEventIdError extends EventStoreError {
  readonly code = 'duplicate_event_id';
  constructor(
    readonly stream: string,
    options?: ErrorOptions,
  ) {
    super(`stream ${stream} already holds an event with one of these ids`, options);
  }
}

/**
 * A claim the append makes is already held by another event of the stream. A writer that looked
 * its claims up first sees this only when another writer got there between: like a conflict, it
 * loads again and decides again.
 */
export class ClaimConflictError extends EventStoreError {
  readonly code = 'claim_conflict';
  constructor(
    readonly stream: string,
    readonly claim: string,
    options?: ErrorOptions,
  ) {
    super(`stream ${stream} already holds claim ${JSON.stringify(claim)}`, options);
  }
}

/** A checkpoint save raced another writer of the same checkpoint. */
export class CheckpointConflictError extends EventStoreError {
  readonly code = 'checkpoint_conflict';
  constructor(
    readonly checkpoint: string,
    readonly expectedVersion: bigint | null,
    options?: ErrorOptions,
  ) {
    super(
      `checkpoint ${checkpoint} is no longer at version ${expectedVersion === null ? 'none' : expectedVersion.toString()}`,
      options,
    );
  }
}

/** The caller asked for something the port refuses (an empty append, an id that is not a UUID). */
export class InvalidAppendError extends EventStoreError {
  readonly code = 'invalid_append';
}

/** A store failure the port has no better name for; the driver's error is its cause. */
export class EventStoreFailure extends EventStoreError {
  readonly code = 'failure';
}
