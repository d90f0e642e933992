import {
  ClaimConflictError,
  DuplicateEventIdError,
  WrongExpectedRevisionError,
} from '../port/errors';
import type { StreamAppend } from '../port/event-store';
import type { ExpectedRevision, JsonObject, RecordedEvent } from '../port/recorded-event';
import { refuseUnstorableText, storedJson } from './stored-values';

/** An event as the in-memory store holds it; its id in lower case, as PostgreSQL's uuid reads. */
export interface StoredEvent extends Omit<RecordedEvent, 'recordedAt'> {
  /** A Date of its own is made for each reader, so no reader can change another's. */
  readonly recordedAtMs: number;
}

export interface StreamState {
  /** At index n, the event at revision n. */
  readonly events: StoredEvent[];
  readonly revisionOfId: Map<string, bigint>;
  /** Each claim held, and the revision of the event that holds it. */
  readonly claims: Map<string, bigint>;
}

/** An append validated by the port's checks, its ids in lower case and its documents copied. */
export interface EncodedAppend {
  readonly stream: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly {
    readonly id: string;
    readonly type: string;
    readonly data: JsonObject;
    readonly metadata: JsonObject | null;
    readonly claims: readonly string[];
  }[];
}

/** An append as the store keeps it, refused here if it holds what PostgreSQL cannot. */
export function encoded({ stream, events, expectedRevision }: StreamAppend): EncodedAppend {
  refuseUnstorableText('a stream name', stream);
  return {
    stream,
    expectedRevision,
    events: events.map((event) => {
      refuseUnstorableText(`an event type of ${stream}`, event.type);
      return {
        id: event.id.toLowerCase(),
        type: event.type,
        // Null only for a caller that broke the type: PostgreSQL stores it so too.
        data: storedJson(`the data of event ${event.id}`, event.data) as JsonObject,
        metadata: storedJson(`the metadata of event ${event.id}`, event.metadata),
        claims: event.claims ?? [],
      };
    }),
  };
}

/** Where an append's events go: new revisions from `start`, or a retry of events stored there. */
export interface Placed {
  readonly append: EncodedAppend;
  readonly start: bigint;
  readonly isRetry: boolean;
}

export interface AppendPlan {
  readonly placed: readonly Placed[];
  readonly newClaims: readonly { stream: string; claim: string; revision: bigint }[];
}

/**
 * What a batch of appends would do, decided before anything is written, so the batch is all or
 * nothing. The rules are es_append's and es_append_claiming's (PostgreSQL migrations 002 and
 * 004), in their order: every stream's expected revision (the first in batch order to fail is
 * the conflict), then ids taken elsewhere in a stream, then claims held by another event.
 */
export function planAppends(
  streams: ReadonlyMap<string, StreamState>,
  appends: readonly EncodedAppend[],
): AppendPlan {
  const placed = appends.map((append) => place(streams.get(append.stream), append));
  for (const { append, isRetry } of placed)
    if (!isRetry) refuseTakenIds(streams.get(append.stream), append);
  return {
    placed,
    newClaims: placed.flatMap((one) => claimsOf(streams.get(one.append.stream), one)),
  };
}

function place(state: StreamState | undefined, append: EncodedAppend): Placed {
  const { expectedRevision: expected, events } = append;
  const next = BigInt(state?.events.length ?? 0);
  const exists = state !== undefined;
  const fresh = (start: bigint): Placed => ({ append, start, isRetry: false });
  // Only the first id says where a retry at `any` would be: its other ids are checked there.
  const firstAt = state?.revisionOfId.get(events[0]?.id ?? '');
  if (expected === 'no_stream' && !exists) return fresh(0n);
  if (expected === 'stream_exists' && exists) return fresh(next);
  if (expected === 'any' && firstAt === undefined) return fresh(next);
  if (typeof expected === 'bigint' && exists && expected === next - 1n) return fresh(next);
  const window =
    expected === 'no_stream'
      ? 0n
      : expected === 'any'
        ? firstAt
        : typeof expected === 'bigint'
          ? expected + 1n
          : undefined;
  // A retry: the same ids, in order, already at the revisions the append expected to write.
  if (
    window !== undefined &&
    events.every((event, index) => state?.events[Number(window) + index]?.id === event.id)
  )
    return { append, start: window, isRetry: true };
  throw new WrongExpectedRevisionError(append.stream, expected, exists ? next - 1n : 'no_stream');
}

/** An id stored at another revision of the stream: not a retry, and not to be stored twice. */
function refuseTakenIds(state: StreamState | undefined, append: EncodedAppend): void {
  if (append.events.some((event) => state?.revisionOfId.has(event.id)))
    throw new DuplicateEventIdError(append.stream);
}

/** Claims not held yet; one held by another event is a conflict, by the same event a retry. */
function claimsOf(
  state: StreamState | undefined,
  { append, start }: Placed,
): AppendPlan['newClaims'] {
  return append.events.flatMap((event, index) => {
    const revision = start + BigInt(index);
    return event.claims.flatMap((claim) => {
      const heldAt = state?.claims.get(claim);
      if (heldAt === undefined) return [{ stream: append.stream, claim, revision }];
      if (heldAt === revision) return [];
      throw new ClaimConflictError(append.stream, claim);
    });
  });
}
