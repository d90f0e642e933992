import type { Checkpoint, CheckpointStore } from '../port/checkpoints';
import {
  CheckpointConflictError,
  EventStoreUnavailableError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '../port/errors';
import type { Position } from '../port/positions';
import type { EsdbDriver } from './driver';
import { randomUUID } from 'node:crypto';

export const CHECKPOINT_STREAM_PREFIX = 'checkpoint-';
const streamOf = (name: string): string => `${CHECKPOINT_STREAM_PREFIX}${name}`;
const KEPT_CHECKPOINT_EVENTS = 10;

/** Tries of one save whose answer was lost: the same id at the same revision. */
const SAVE_ATTEMPTS = 2;

/**
 * Checkpoints as streams: a save is an append at the expected revision, which is its CAS, so a
 * second writer from the same version conflicts. A save whose answer is lost is tried once more
 * with the same id, which the server answers as done if the first landed. A stream's limit is
 * set before its first save, so none is left without one.
 */
export class EventStoreDbCheckpoints implements CheckpointStore {
  constructor(private readonly driver: EsdbDriver) {}

  async load(name: string): Promise<Checkpoint | null> {
    try {
      for await (const event of this.driver.readStream(streamOf(name), {
        direction: 'backwards',
        fromRevision: 'end',
        maxCount: 1,
      })) {
        const data = event.data as { position: string };
        return {
          position: data.position as Position,
          version: event.revision,
          savedAt: event.created,
        };
      }
      return null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
  }

  async save(name: string, position: Position, expectedVersion: bigint | null): Promise<bigint> {
    const stream = streamOf(name);
    // Only the latest save matters; the store may scavenge the rest.
    if (expectedVersion === null)
      await this.driver.setStreamLimits(stream, { maxCount: KEPT_CHECKPOINT_EVENTS });
    const save = { id: randomUUID(), type: 'CheckpointSaved', data: { position } };
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await this.driver.append(stream, [save], expectedVersion ?? 'no_stream');
        return result.nextExpectedRevision;
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError)
          throw new CheckpointConflictError(name, expectedVersion, { cause: error });
        if (!(error instanceof EventStoreUnavailableError) || attempt >= SAVE_ATTEMPTS) throw error;
      }
    }
  }
}
