import { InvalidAppendError } from './errors';
import type { StreamAppend } from './event-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The same checks in every adapter, so both refuse the same input with the same error. */
export function validateAppends(appends: readonly StreamAppend[]): void {
  const streams = new Set<string>();
  for (const { stream, events, expectedRevision } of appends) {
    if (!stream) throw new InvalidAppendError('a stream name is empty');
    if (streams.has(stream))
      throw new InvalidAppendError(`stream ${stream} appears twice in one batch`);
    streams.add(stream);
    if (events.length === 0) throw new InvalidAppendError(`nothing to append to stream ${stream}`);
    if (typeof expectedRevision === 'bigint' && expectedRevision < 0n)
      throw new InvalidAppendError(
        `expected revision ${expectedRevision} of ${stream} is negative`,
      );
    const ids = new Set<string>();
    for (const event of events) {
      if (!UUID.test(event.id)) throw new InvalidAppendError(`event id ${event.id} is not a UUID`);
      const id = event.id.toLowerCase();
      if (ids.has(id))
        throw new InvalidAppendError(`event id ${event.id} appears twice in one append`);
      ids.add(id);
      if (!event.type) throw new InvalidAppendError(`an event for ${stream} has no type`);
    }
  }
}

/** `account-acct-42` is in category `account`, as EventStoreDB's category projection has it. */
export function categoryPrefix(category: string): string {
  return `${category}-`;
}
