import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '@credits/event-store';
import { asError } from '@credits/runtime';
import {
  WRITE_BOUNDS,
  WriteGivenUpError,
  writeFailureOf,
  type WriteFailure,
} from './write-failures';

/** How a long retry keeps the consumer's membership alive and learns it should give up. */
export interface ChunkControl {
  heartbeat(): Promise<void>;
  /** False once the partition was taken away or the consumer is stopping. */
  isActive(): boolean;
}

/** What the retries tell the metrics and the log. */
export interface RetryObserver {
  /** Another writer appended first: the chunk's accounts are loaded and decided again. */
  conflicted(error: Error, count: number): void;
  /** The write failed for a reason the data is not to blame for: it waits, then tries again. */
  waiting(
    failure: Exclude<WriteFailure, 'conflict'>,
    error: Error,
    attempt: number,
    delayMs: number,
  ): void;
  /** An attempt went through: whatever was waited out is over. */
  succeeded(): void;
}

/** Waits `ms` while heartbeating; false as soon as the partition stops being ours. */
export type Pause = (ms: number, control: ChunkControl) => Promise<boolean>;

const HEARTBEAT_SLICE_MS = 1_000;

export const heartbeatingPause: Pause = async (ms, control) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await sleep(Math.min(HEARTBEAT_SLICE_MS, until - Date.now()));
    if (!control.isActive()) return false;
    try {
      await control.heartbeat();
    } catch {
      return false;
    }
  }
  return true;
};

/**
 * Runs one attempt at writing a chunk until it succeeds, within WRITE_BOUNDS, counted over the
 * whole write (a failure that alternates between conflicts and waits still reaches a bound): a
 * conflict tries again at once (the attempt reloads what it needs), anything else waits with
 * backoff. Data the store refused in the append never reaches here (the attempt sets those
 * items aside itself); a refusal elsewhere (a look-up) names no item, and is waited out as
 * unknown. Null when the partition stopped being ours first; WriteGivenUpError past a bound.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  control: ChunkControl,
  observer: RetryObserver,
  pause: Pause = heartbeatingPause,
): Promise<T | null> {
  const bounds = WRITE_BOUNDS;
  let conflicts = 0;
  let waits = 0;
  for (let attempts = 1; ; attempts += 1) {
    if (!control.isActive()) return null;
    try {
      const written = await attempt();
      observer.succeeded();
      return written;
    } catch (thrown) {
      const error = asError(thrown);
      if (writeFailureOf(error) === 'conflict') {
        conflicts += 1;
        // Told first, also the last time: the stale states are forgotten for whoever goes next.
        observer.conflicted(error, conflicts);
        if (conflicts > bounds.conflicts)
          throw new WriteGivenUpError('conflict', attempts, { cause: error });
        continue;
      }
      waits += 1;
      const failure = writeFailureOf(error);
      const cause = failure === 'unavailable' || failure === 'store_full' ? failure : 'unknown';
      if (waits > bounds.waits) throw new WriteGivenUpError(cause, attempts, { cause: error });
      const delayMs = backoffDelay(waits, bounds.backoff.initialMs, bounds.backoff.maxMs);
      observer.waiting(cause, error, waits, delayMs);
      if (!(await pause(delayMs, control))) return null;
    }
  }
}
