/**
 * What must never happen, happened: a bug in the rules or a corrupt state, never bad input (that
 * is refused or recorded as ignored). Nothing is appended after it: the message that met it is
 * dead-lettered as undecidable, with this error and its stack, and its partition moves on.
 */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

/**
 * Checked always, in production too: each check is a comparison on data already at hand,
 * written `if (broken) violated(why)` so that nothing is built unless it fails.
 */
export function violated(whatWentWrong: string): never {
  throw new InvariantViolation(whatWentWrong);
}

/** The end of a `switch` that names every case: a value no case names is a bug. */
export function unreachable(value: never, what: string): never {
  throw new InvariantViolation(`${what}: ${JSON.stringify(value)} is not one the rules know`);
}
