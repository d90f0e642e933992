import {
  isValidClaim,
  MAX_CLAIM_LENGTH,
  MAX_CLAIMS_PER_QUERY,
  type ClaimQuery,
  type StoredClaim,
} from './claims';
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
    const claims = new Set<string>();
    // A claim names its event's revision, so it needs the revision its append starts at.
    if (
      typeof expectedRevision !== 'bigint' &&
      expectedRevision !== 'no_stream' &&
      events.some((event) => event.claims?.length)
    )
      throw new InvalidAppendError(
        `an append to ${stream} that makes claims must expect an exact revision or no_stream`,
      );
    for (const event of events) {
      if (!UUID.test(event.id)) throw new InvalidAppendError(`event id ${event.id} is not a UUID`);
      const id = event.id.toLowerCase();
      if (ids.has(id))
        throw new InvalidAppendError(`event id ${event.id} appears twice in one append`);
      ids.add(id);
      if (!event.type) throw new InvalidAppendError(`an event for ${stream} has no type`);
      for (const claim of event.claims ?? []) {
        validateClaim(claim);
        if (claims.has(claim))
          throw new InvalidAppendError(`claim ${claim} appears twice in one append to ${stream}`);
        claims.add(claim);
      }
    }
  }
}

/** `account-acct-42` is in category `account`, as EventStoreDB's category projection has it. */
export function categoryPrefix(category: string): string {
  return `${category}-`;
}

function validateClaim(claim: string): void {
  if (!isValidClaim(claim))
    throw new InvalidAppendError(
      `a claim must be 1 to ${MAX_CLAIM_LENGTH} characters of text with no NUL: ${JSON.stringify(claim.slice(0, 80))}`,
    );
}

/** The same refusals for a claim look-up in every adapter. */
export function validateClaimQueries(queries: readonly ClaimQuery[]): void {
  let count = 0;
  for (const { stream, claims } of queries) {
    if (!stream) throw new InvalidAppendError('a stream name is empty');
    for (const claim of claims) validateClaim(claim);
    count += claims.length;
  }
  if (count > MAX_CLAIMS_PER_QUERY)
    throw new InvalidAppendError(
      `${count} claims asked at once, more than ${MAX_CLAIMS_PER_QUERY}: ask in smaller calls`,
    );
}

/** Claims recorded for stored events: valid claims, each once, naming an event by revision and id. */
export function validateStoredClaims(claims: readonly StoredClaim[]): void {
  if (claims.length > MAX_CLAIMS_PER_QUERY)
    throw new InvalidAppendError(
      `${claims.length} claims recorded at once, more than ${MAX_CLAIMS_PER_QUERY}: record them in smaller calls`,
    );
  const seen = new Set<string>();
  for (const { claim, revision, eventId } of claims) {
    validateClaim(claim);
    if (seen.has(claim))
      throw new InvalidAppendError(`claim ${JSON.stringify(claim)} recorded twice`);
    seen.add(claim);
    if (revision < 0n) throw new InvalidAppendError(`claim revision ${revision} is negative`);
    if (!UUID.test(eventId)) throw new InvalidAppendError(`event id ${eventId} is not a UUID`);
  }
}

/**
 * A count the caller gives (a page size, a limit), the same in every adapter: a safe integer of
 * `least` or more, or refused. A page size of 0 would list nothing, forever.
 */
export function countOf(what: string, count: number, least = 0): number {
  if (!Number.isSafeInteger(count) || count < least)
    throw new InvalidAppendError(`${what} ${count} is not an integer of ${least} or more`);
  return count;
}
