/**
 * Which of the `count` versions made so far the next change goes through, chosen from a
 * generated number: mostly the newest (a fold), sometimes a recent one or any older one (a
 * branch). Shared by the property tests of the structures that are written in place along one
 * line of history.
 */
export function throughWhich(through: number, count: number): number {
  if (through % 7 === 0) return through % count;
  if (through % 3 === 0) return Math.max(0, count - 1 - (through % 4));
  return count - 1;
}
