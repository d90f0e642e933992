import fc from 'fast-check';
import { ForwardMap } from '../src/state/forward-map';
import { throughWhich } from './branching';

/** The obvious model: an insertion-ordered Map, trimmed to the newest `bound` keys. */
function modelAfter(model: Map<string, number>, step: Step, bound: number) {
  const next = new Map(model);
  if (step.remove) next.delete(step.key);
  else next.set(step.key, step.value);
  while (next.size > bound) next.delete(next.keys().next().value as string);
  return next;
}

interface Step {
  key: string;
  value: number;
  remove: boolean;
}

/** Many more keys than a small map holds, so maps grow into logs, append and shrink back. */
const KEYS = Array.from({ length: 40 }, (_, index) => `k${index}`);

/**
 * Writes and removals, each through a map made so far: mostly the newest (a fold), sometimes a
 * recent or any older one (a branch), and sometimes a change made before, made again through
 * the same map (what a decider looking ahead and its caller do).
 */
const steps = fc.array(
  fc.record({
    through: fc.nat(),
    key: fc.constantFrom(...KEYS),
    value: fc.integer({ min: 0, max: 3 }),
    // One in four a removal: maps mostly grow past the small size.
    remove: fc.nat(3).map((n) => n === 0),
    again: fc.nat(5).map((n) => n === 0),
  }),
  { maxLength: 100, size: 'max' },
);

describe('ForwardMap: an immutable ordered map, optionally of the last N keys written', () => {
  it('behaves as the model after any writes and removals through any earlier map, and none changes an earlier map', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 3, 6, 10, Infinity), steps, (bound, changes) => {
        const maps = [ForwardMap.empty<number>(bound)];
        const models = [new Map<string, number>()];
        const seen = [JSON.stringify(maps[0])];
        const made: { from: number; step: Step }[] = [];
        for (const next of changes) {
          const earlier = made[next.through % Math.max(1, made.length)];
          const { from, step } =
            next.again && earlier
              ? earlier
              : { from: throughWhich(next.through, maps.length), step: next };
          const map = maps[from]!;
          maps.push(step.remove ? map.without(step.key) : map.with(step.key, step.value));
          models.push(modelAfter(models[from]!, step, bound));
          seen.push(JSON.stringify(maps.at(-1)));
          made.push({ from, step });
        }
        // One comparison per run: thousands of separate expect calls are most of its time.
        const keys = [...KEYS, 'z'];
        const observed = maps.map((map) => ({
          entries: [...map],
          size: map.size,
          first: map.first(),
          last: map.last(),
          got: keys.map((key) => map.get(key)),
          text: JSON.stringify(map),
        }));
        const wanted = models.map((model, index) => ({
          entries: [...model],
          size: model.size,
          first: [...model.values()][0],
          last: [...model.values()].at(-1),
          got: keys.map((key) => model.get(key)),
          // None changes an earlier map: each still serializes as it did when made.
          text: seen[index],
        }));
        expect(observed).toEqual(wanted);
      }),
      { numRuns: 150 },
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
