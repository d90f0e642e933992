import fc from 'fast-check';
import { RecentMemory } from '../src';

/** The obvious model: an insertion-ordered Map, trimmed to the newest `bound` keys. */
function modelWith(model: Map<string, number>, key: string, value: number, bound: number) {
  const next = new Map(model);
  next.set(key, value);
  while (next.size > bound) next.delete(next.keys().next().value as string);
  return next;
}

/** Writes, each through any memory made so far: folding forwards, branching, and keys again. */
const writes = fc.array(
  fc.record({
    through: fc.nat(),
    key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
    value: fc.integer(),
  }),
  { maxLength: 120 },
);

describe('RecentMemory: an immutable map of the last N keys written', () => {
  it('behaves as the model after any writes through any earlier memory, and no write changes an earlier memory', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), writes, (bound, steps) => {
        const memories = [RecentMemory.empty<number>(bound)];
        const models = [new Map<string, number>()];
        const seen = [JSON.stringify(memories[0])];
        for (const { through, key, value } of steps) {
          // Mostly the newest (a fold), sometimes an older one (a branch).
          const from = through % 3 === 0 ? through % memories.length : memories.length - 1;
          memories.push(memories[from]!.with(key, value));
          models.push(modelWith(models[from]!, key, value, bound));
          seen.push(JSON.stringify(memories.at(-1)));
        }
        memories.forEach((memory, index) => {
          const model = models[index]!;
          expect([...memory]).toEqual([...model]);
          expect(memory.size).toBe(model.size);
          for (const key of 'abcdefghz') expect(memory.get(key)).toBe(model.get(key));
          expect(JSON.stringify(memory)).toBe(seen[index]);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('given a long fold, when it passes twice its bound, then it keeps only the window and still answers for it', () => {
    let memory = RecentMemory.empty<number>(3);
    const early = memory.with('k0', 0);
    for (let n = 0; n < 100; n += 1) memory = memory.with(`k${n}`, n);
    expect([...memory]).toEqual([
      ['k97', 97],
      ['k98', 98],
      ['k99', 99],
    ]);
    expect(memory.has('k96')).toBe(false);
    expect([...early]).toEqual([['k0', 0]]);
  });

  it('given two memories with the same window built differently, then they are equal', () => {
    const forwards = RecentMemory.empty<number>(2).with('a', 1).with('b', 2).with('c', 3);
    const branched = RecentMemory.empty<number>(2).with('x', 9).with('b', 2).with('c', 3);
    expect(forwards).toEqual(branched);
    expect(forwards).not.toEqual(RecentMemory.empty<number>(2).with('b', 2).with('c', 4));
  });
});
