import fc from 'fast-check';
import { ForwardMap } from '../src';

/** The obvious model: an insertion-ordered Map, trimmed to the newest `bound` keys. */
function modelAfter(model: Map<string, number>, step: Step, bound: number) {
  const next = new Map(model);
  if (step.remove) next.delete(step.key);
  else next.set(step.key, step.value);
  while (next.size > bound) next.delete(next.keys().next().value as string);
  return next;
}

interface Step {
  through: number;
  key: string;
  value: number;
  remove: boolean;
}

/** Writes and removals, each through any map made so far: folding forwards, branching, keys again. */
const steps = fc.array(
  fc.record({
    through: fc.nat(),
    key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
    value: fc.integer({ min: 0, max: 3 }),
    remove: fc.boolean(),
  }),
  { maxLength: 150 },
);

describe('ForwardMap: an immutable ordered map, optionally of the last N keys written', () => {
  it('behaves as the model after any writes and removals through any earlier map, and none changes an earlier map', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 6, Infinity), steps, (bound, changes) => {
        const maps = [ForwardMap.empty<number>(bound)];
        const models = [new Map<string, number>()];
        const seen = [JSON.stringify(maps[0])];
        for (const step of changes) {
          // Mostly the newest (a fold), sometimes an older one (a branch).
          const from = step.through % 3 === 0 ? step.through % maps.length : maps.length - 1;
          const map = maps[from]!;
          maps.push(step.remove ? map.without(step.key) : map.with(step.key, step.value));
          models.push(modelAfter(models[from]!, step, bound));
          seen.push(JSON.stringify(maps.at(-1)));
        }
        maps.forEach((map, index) => {
          const model = models[index]!;
          expect([...map]).toEqual([...model]);
          expect(map.size).toBe(model.size);
          expect(map.first()).toBe([...model.values()][0]);
          expect(map.last()).toBe([...model.values()].at(-1));
          for (const key of 'abcdefghz') expect(map.get(key)).toBe(model.get(key));
          expect(JSON.stringify(map)).toBe(seen[index]);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('given a decider that looked ahead, when the caller folds the same writes and removals, then the fold sees the same map and the look-ahead sees none of its later writes', () => {
    const start = ForwardMap.empty<number>().with('a', 1).with('b', 2);
    const lookedAhead = start.without('a').with('c', 3);
    const folded = start.without('a').with('c', 3);
    expect([...folded]).toEqual([...lookedAhead]);
    // A write through the folded map at the tip is seen by neither older map.
    const further = folded.with('d', 4);
    expect(lookedAhead.has('d')).toBe(false);
    expect([...further]).toEqual([
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ]);
  });

  it('given a long fold, when it passes twice its bound, then it keeps only the window and still answers for it', () => {
    let memory = ForwardMap.empty<number>(3);
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
    const forwards = ForwardMap.empty<number>(2).with('a', 1).with('b', 2).with('c', 3);
    const branched = ForwardMap.empty<number>(2).with('x', 9).with('b', 2).with('c', 3);
    expect(forwards).toEqual(branched);
    expect(forwards).not.toEqual(ForwardMap.empty<number>(2).with('b', 2).with('c', 4));
  });
});
