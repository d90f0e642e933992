import {
  jsonEvent,
  NO_STREAM,
  BACKWARDS,
  END,
  type EventStoreDBClient,
} from '@eventstore/db-client';
import type { Checkpoint, CheckpointStore } from '../port/checkpoints';
import {
  CheckpointConflictError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '../port/errors';
import type { Position } from '../port/positions';
import { translateEsdbError } from './driver-errors';
import { randomUUID } from 'node:crypto';

export const CHECKPOINT_STREAM_PREFIX = 'checkpoint-';
const streamOf = (name: string): string => `${CHECKPOINT_STREAM_PREFIX}${name}`;
const KEPT_CHECKPOINT_EVENTS = 10;

/** Checkpoints as streams: a save is an append at the expected revision, which is its CAS. */
export class EventStoreDbCheckpoints implements CheckpointStore {
  constructor(private readonly client: EventStoreDBClient) {}

  async load(name: string): Promise<Checkpoint | null> {
    try {
      for await (const resolved of this.client.readStream(streamOf(name), {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      })) {
        const event = resolved.event;
        if (!event) continue;
        const data = event.data as { position: string };
        return {
          position: data.position as Position,
          version: event.revision,
          savedAt: event.created,
        };
      }
      return null;
    } catch (error) {
      const translated = translateEsdbError(error, { stream: streamOf(name) });
      if (translated instanceof StreamNotFoundError) return null;
      throw translated;
    }
  }

  async save(name: string, position: Position, expectedVersion: bigint | null): Promise<bigint> {
    const stream = streamOf(name);
    try {
      const result = await this.client.appendToStream(
        stream,
        jsonEvent({ id: randomUUID(), type: 'CheckpointSaved', data: { position } }),
        { expectedRevision: expectedVersion ?? NO_STREAM },
      );
      // Only the latest save matters; the store may scavenge the rest.
      if (expectedVersion === null)
        await this.client.setStreamMetadata(stream, { maxCount: KEPT_CHECKPOINT_EVENTS });
      return result.nextExpectedRevision;
    } catch (error) {
      const translated = translateEsdbError(error, {
        stream,
        expected: expectedVersion ?? 'no_stream',
      });
      if (translated instanceof WrongExpectedRevisionError)
        throw new CheckpointConflictError(name, expectedVersion, { cause: error });
      throw translated;
    }
  }
}
