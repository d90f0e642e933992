import {
  ClaimConflictError,
  DuplicateEventIdError,
  EventStoreFullError,
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '@credits/event-store';
import { isOutOfDiskSpace } from '@credits/postgres';

/**
 * What a failed write of a chunk means, decided here and nowhere else:
 * - `conflict`: another writer appended to one of the chunk's streams first. The states are
 *   stale: load them again and decide again.
 * - `unavailable`: the store did not answer or dropped the connection. Wait, then try again.
 * - `store_full`: the store (or the due index beside it) has no disk space left. Waited out like
 *   `unavailable`, and named apart: it lasts until an operator frees space.
 * - `refused_data`: the store refused something in the append itself (a value it cannot hold,
 *   an event id taken elsewhere). Trying again cannot help: find the items at fault and set
 *   them aside (dead-lettered), and write the rest.
 * - `unknown`: anything else (a store failure with no better name, a bug of this process). It is
 *   never blamed on the data, which may well be fine: it is waited out and tried again like an
 *   unavailable store, and counted apart.
 */
export type WriteFailure = 'conflict' | 'unavailable' | 'store_full' | 'refused_data' | 'unknown';

export function writeFailureOf(error: unknown): WriteFailure {
  if (error instanceof WrongExpectedRevisionError || error instanceof ClaimConflictError)
    return 'conflict';
  if (error instanceof EventStoreUnavailableError) return 'unavailable';
  if (error instanceof EventStoreFullError || isOutOfDiskSpace(error)) return 'store_full';
  if (error instanceof InvalidAppendError || error instanceof DuplicateEventIdError)
    return 'refused_data';
  return 'unknown';
}

/**
 * How many times one chunk is tried in place before it is given up. A chunk given up is not
 * skipped: its consumer fails, is started again by its supervisor (with a backoff of its own,
 * 1 to 30 s), and the chunk is redone from its committed offset. `/health` counts those starts.
 */
export const WRITE_BOUNDS = {
  /**
   * Conflicts in one write. Each one means another writer is busy with the same accounts (the
   * sweeper, or a consumer a rebalance has not yet stopped); ten means something else is wrong.
   */
  conflicts: 10,
  /**
   * Waits in one write for an unavailable store or an unknown failure: with the backoff below, 6
   * to 13 s (0.2, 0.4, … 6.4 s, each between half and all of it) before the consumer is
   * restarted, so a failure that outlasts them shows as consumer restarts on /health and the
   * metrics.
   */
  waits: 6,
  backoff: { initialMs: 200, maxMs: 10_000 },
} as const;

/** A chunk tried as often as its bounds allow; its cause is the last failure. */
export class WriteGivenUpError extends Error {
  /**
   * For kafkajs, which would otherwise run the batch again itself, up to five times, each run
   * waiting out the bounds again: it stops the consumer at once, and the supervisor starts a new
   * one with a backoff of its own.
   */
  readonly retriable = false;

  constructor(
    readonly failure: WriteFailure,
    readonly attempts: number,
    options: ErrorOptions,
  ) {
    super(
      `gave up writing a chunk after ${attempts} attempts (${failure}): its consumer is started again and the chunk redone`,
      options,
    );
  }
}
