/**
 * A place in the global log, as an opaque token. Tokens of one store compare as strings in log
 * order; nothing else may be done with them (no arithmetic: the next event is not "position + 1").
 */
export type Position = string & { readonly __brand: 'Position' };

/** Where a global read starts: before the first event, or just after a position. */
export type ReadFrom = 'start' | Position;

const DIGITS = 20;

/** Two unsigned integers as one token that sorts as a string in the order of the pair. */
export function positionOf(major: bigint, minor: bigint): Position {
  return `${major.toString().padStart(DIGITS, '0')}/${minor.toString().padStart(DIGITS, '0')}` as Position;
}

/** The pair a token was made of; only an adapter reads its own tokens back. */
export function pairOf(position: Position): [bigint, bigint] {
  const match = /^(\d{20})\/(\d{20})$/.exec(position);
  if (!match) throw new RangeError(`not a position token: ${position}`);
  return [BigInt(match[1] as string), BigInt(match[2] as string)];
}

export function comparePositions(a: Position, b: Position): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
