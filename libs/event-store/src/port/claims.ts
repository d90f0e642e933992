import type { ExpectedRevision } from './recorded-event';

/**
 * Claims: keys an append holds for its stream for the life of the store, so a writer can ask, at
 * any age, whether something was already done (a wire event applied, a generation id used). A
 * claim names the event that made it; it exists exactly when that event is stored. Claims are
 * per stream: the same key in two streams is two claims.
 */
export interface ClaimQuery {
  readonly stream: string;
  readonly claims: readonly string[];
}

/** A claim of an event already stored, as a backfill records it. */
export interface StoredClaim {
  readonly claim: string;
  readonly revision: bigint;
  /** The event at `revision` that holds it: a claim names its event, not only a position. */
  readonly eventId: string;
}

/** Per stream, the claims found and the revision of the event that holds each. */
export type FoundClaims = Map<string, Map<string, bigint>>;

/** A claim is text a store can index: not empty, no NUL or lone surrogate, at most this long. */
export const MAX_CLAIM_LENGTH = 1_000;

/** How many claims one findClaims call may ask for: a writer asks per chunk, in one call. */
export const MAX_CLAIMS_PER_QUERY = 50_000;

// A UTF-16 half with no partner: not text any store can hold (PostgreSQL refuses it).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A claim a store can hold. A claim that is not never was stored, so a look-up skips it: the
 * append that would make it is refused as data, and its item dead-lettered.
 */
export function isValidClaim(claim: string): boolean {
  return (
    claim.length > 0 &&
    claim.length <= MAX_CLAIM_LENGTH &&
    !claim.includes('\u0000') &&
    !LONE_SURROGATE.test(claim)
  );
}

export function isClaimed(found: FoundClaims, stream: string, claim: string): boolean {
  return found.get(stream)?.has(claim) ?? false;
}

/**
 * The revision an append that makes claims starts at: claims need an exact expected revision or
 * `no_stream`, so it is known before the append.
 */
export function firstRevisionOf(expectedRevision: ExpectedRevision): bigint {
  if (expectedRevision === 'no_stream') return 0n;
  if (typeof expectedRevision === 'bigint') return expectedRevision + 1n;
  throw new RangeError(`an append at ${expectedRevision} has no known first revision`);
}
