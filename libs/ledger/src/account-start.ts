import { decodeAccountState, type AccountDecider, type AccountState } from '@credits/domain';
import { millisOf } from '@credits/domain/instants';
import type { RecordedEvent, Snapshot } from '@credits/event-store';
import { decodeLedgerEvent } from '@credits/contract';

/** A state read from a snapshot: the fold of its stream up to `revision`. */
export interface SnapshotState {
  readonly state: AccountState;
  readonly revision: bigint;
  /** The latest time among the events folded into it. */
  readonly latestEventAtMs: number;
}

/** The state a snapshot holds; throws `AccountStateFormatError` for one that does not decode. */
export function snapshotStateOf(snapshot: Snapshot): SnapshotState {
  return {
    state: decodeAccountState(snapshot.state),
    revision: snapshot.revision,
    latestEventAtMs: snapshot.lastEventAt.getTime(),
  };
}

/** An account folded from a start (a snapshot's state, or none) and the stored events after it. */
export interface FoldedAccount {
  readonly state: AccountState;
  /** The revision of the last event folded (null: the stream has none). */
  readonly revision: bigint | null;
  /** The latest time among the events folded (-Infinity: none): a snapshot's as-of bound. */
  readonly latestEventAtMs: number;
}

/** The state after folding stored events onto a start. */
export function foldStored(
  decider: AccountDecider,
  start: SnapshotState | null,
  recorded: readonly RecordedEvent[],
): FoldedAccount {
  let state = start?.state ?? decider.initialState;
  let latestEventAtMs = start?.latestEventAtMs ?? -Infinity;
  for (const stored of recorded) {
    const event = decodeLedgerEvent(stored);
    state = decider.evolve(state, event);
    latestEventAtMs = Math.max(latestEventAtMs, millisOf(event.at));
  }
  return {
    state,
    revision: recorded.at(-1)?.revision ?? start?.revision ?? null,
    latestEventAtMs,
  };
}
