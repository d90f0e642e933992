import { accountStream } from '@credits/domain/streams';
import type { EventStore, RecordedEvent, Snapshot } from '@credits/event-store';
import { asError } from '@credits/runtime';
import { snapshotStateOf, type SnapshotState } from './account-start';

/** An account's stream as read to fold it: a snapshot's state to start from, and the events after. */
export interface AccountRead {
  /** Null: no usable snapshot; `tail` is then the whole stream. */
  readonly start: SnapshotState | null;
  readonly tail: RecordedEvent[];
}

/** What went wrong with snapshots: never an error for the caller, only a longer read. */
export interface SnapshotTrouble {
  /** A snapshot that did not decode: its stream was read from the start instead. */
  unreadable(snapshot: Snapshot, error: Error): void;
  /** Snapshots could not be read at all: every stream was read from the start. */
  readFailed(error: Error): void;
}

export const IGNORE_SNAPSHOT_TROUBLE: SnapshotTrouble = {
  unreadable: () => undefined,
  readFailed: () => undefined,
};

/** Trouble said as warnings, and each unreadable snapshot counted when `counted` is given. */
export function warnedSnapshotTrouble(
  warn: (fields: Record<string, string>, message: string) => void,
  counted: () => void = () => undefined,
): SnapshotTrouble {
  return {
    unreadable: (snapshot, error) => {
      counted();
      warn(
        { stream: snapshot.stream, revision: String(snapshot.revision), error: error.message },
        'a snapshot does not decode: folding the stream from the start',
      );
    },
    readFailed: (error) =>
      warn({ error: error.message }, 'could not read snapshots: folding from the start'),
  };
}

/**
 * Accounts read from their newest usable snapshot of `stateVersion` (at or before
 * `atOrBefore`) and the events after it, in one read where the store allows. A snapshot is only
 * a shortcut: one that does not decode, or snapshots that cannot be read, mean the stream is
 * read from the start, and the trouble is reported. A failure to read the streams themselves is
 * the store's, and thrown.
 */
export async function readAccounts(
  store: EventStore,
  stateVersion: string,
  accountIds: readonly string[],
  options: { readonly atOrBefore?: Date; readonly trouble?: SnapshotTrouble } = {},
): Promise<Map<string, AccountRead>> {
  const trouble = options.trouble ?? IGNORE_SNAPSHOT_TROUBLE;
  const read = new Map<string, AccountRead>();
  if (accountIds.length === 0) return read;
  const streams = accountIds.map(accountStream);
  let fromSnapshots;
  try {
    fromSnapshots = await store.readStreamsFromSnapshots(
      streams,
      stateVersion,
      options.atOrBefore === undefined ? {} : { atOrBefore: options.atOrBefore },
    );
  } catch (error) {
    trouble.readFailed(asError(error));
    const whole = await store.readStreams(streams);
    accountIds.forEach((accountId, index) =>
      read.set(accountId, { start: null, tail: whole.get(streams[index] as string) ?? [] }),
    );
    return read;
  }
  const fromStart: string[] = [];
  accountIds.forEach((accountId, index) => {
    const { snapshot, events } = fromSnapshots.get(streams[index] as string) ?? {
      snapshot: null,
      events: [],
    };
    if (snapshot === null) {
      read.set(accountId, { start: null, tail: events });
      return;
    }
    try {
      read.set(accountId, { start: snapshotStateOf(snapshot), tail: events });
    } catch (error) {
      trouble.unreadable(snapshot, asError(error));
      fromStart.push(accountId);
    }
  });
  if (fromStart.length > 0) {
    const whole = await store.readStreams(fromStart.map(accountStream));
    for (const accountId of fromStart)
      read.set(accountId, { start: null, tail: whole.get(accountStream(accountId)) ?? [] });
  }
  return read;
}
