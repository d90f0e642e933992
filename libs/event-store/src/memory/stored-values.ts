import { EventStoreFailure, InvalidAppendError } from '../port/errors';
import type { JsonObject } from '../port/recorded-event';

// What the in-memory store refuses of a value, so that a writer tested against it meets the
// refusals PostgreSQL would make: the same error class (InvalidAppendError, data the store cannot
// hold), though not the same text.

/** A NUL no text column holds, and a lone UTF-16 surrogate jsonb refuses. */
export function refuseUnstorableText(what: string, text: string): void {
  if (text.includes('\u0000') || !text.isWellFormed())
    throw new InvalidAppendError(
      `${what} is not text a store can hold (a NUL or a lone surrogate): ${JSON.stringify(text.slice(0, 80))}`,
    );
}

/**
 * A deep, frozen copy of a document as jsonb gives it back: what JSON.stringify leaves of it (no
 * undefined, a Date as its text), every string and key checked. Frozen, so no caller can change
 * what the store holds through an event it read.
 */
export function storedJson(what: string, value: JsonObject | undefined): JsonObject | null {
  let text: string;
  try {
    // In an array, as the PostgreSQL adapter sends it: undefined becomes null there.
    text = JSON.stringify([value]);
  } catch (error) {
    // A bigint or a cycle. PostgreSQL's adapter fails the same way, before the statement is
    // sent, and reports it as a store failure.
    throw new EventStoreFailure(`in-memory event store: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const [copy] = JSON.parse(text) as [unknown];
  return checkedAndFrozen(what, copy) as JsonObject | null;
}

function checkedAndFrozen(what: string, value: unknown): unknown {
  if (typeof value === 'string') refuseUnstorableText(`a string in ${what}`, value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) value.forEach((element) => checkedAndFrozen(what, element));
  else
    for (const [key, element] of Object.entries(value)) {
      refuseUnstorableText(`a key in ${what}`, key);
      checkedAndFrozen(what, element);
    }
  return Object.freeze(value);
}

/** An instant's epoch ms; a Date that is not one (NaN) is refused, as PostgreSQL refuses it. */
export function epochMsOf(what: string, instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new InvalidAppendError(`${what} is not a valid date`);
  return ms;
}
