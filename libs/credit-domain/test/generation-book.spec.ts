import fc from 'fast-check';
import { GenerationBook } from '../src/state/generation-book';
import type { OpenGeneration, SettledGeneration } from '../src';
import { throughWhich } from './branching';

/** The obvious model: open generations in hold-expiry order, settled ones oldest first. */
interface Model {
  readonly open: [string, OpenGeneration][];
  readonly settled: [string, SettledGeneration][];
}

function generation(id: string, holdExpiresAtMs: number): OpenGeneration {
  return {
    generationId: id,
    editType: 'twilight',
    resolution: '1K',
    priceVersion: '2026-01',
    generateCost: 1,
    acceptCost: 2,
    held: 2,
    heldFrom: [],
    chargedFrom: [],
    holdExpiresAtMs,
    requestedBy: `request of ${id}`,
  };
}

function settledAs(status: SettledGeneration['status'], id: string): SettledGeneration {
  return { status, requestedBy: `request of ${id}`, settledBy: `${status} of ${id}` };
}

interface Step {
  through: number;
  id: string;
  /** Open at this expiry, or settle (refuse when never open). */
  opens: boolean;
  expiryStep: number;
  status: SettledGeneration['status'];
}

function modelAfter(model: Model, step: Step, expiryMs: number, bound: number): Model {
  const open = model.open.filter(([id]) => id !== step.id);
  const settled = model.settled.filter(([id]) => id !== step.id);
  if (step.opens) {
    let index = open.length;
    while (index > 0 && open[index - 1]![1].holdExpiresAtMs > expiryMs) index -= 1;
    open.splice(index, 0, [step.id, generation(step.id, expiryMs)]);
    return { open, settled };
  }
  settled.push([step.id, settledAs(step.status, step.id)]);
  return { open, settled: settled.slice(Math.max(0, settled.length - bound)) };
}

/** More ids than the smaller bounds remember, so settled ones are forgotten and logs rebuilt. */
const IDS = Array.from({ length: 30 }, (_, index) => `g${index}`);

/**
 * Opens and settles, each through a book made so far: mostly the newest (a fold), sometimes a
 * recent or any older one (a branch). Hold expiries mostly grow, as event times do, and now and
 * then go back.
 */
const steps = fc.array(
  fc.record({
    through: fc.nat(),
    id: fc.constantFrom(...IDS),
    opens: fc.boolean(),
    expiryStep: fc.integer({ min: -2, max: 5 }),
    status: fc.constantFrom('kept', 'discarded', 'lapsed', 'refused'),
  }),
  { maxLength: 120, size: 'max' },
);

describe('GenerationBook: open generations by hold expiry, and the newest N settled', () => {
  it('behaves as the model after any opens and settles through any earlier book, and none changes an earlier book', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 3, 6, 10, Infinity), steps, (bound, changes) => {
        const books = [GenerationBook.empty(bound)];
        const models: Model[] = [{ open: [], settled: [] }];
        const seen = [JSON.stringify(books[0])];
        let clockMs = 0;
        for (const step of changes) {
          const from = throughWhich(step.through, books.length);
          clockMs += step.expiryStep;
          const book = books[from]!;
          books.push(
            step.opens
              ? book.withOpened(generation(step.id, clockMs))
              : book.withSettled(step.id, settledAs(step.status, step.id)),
          );
          models.push(modelAfter(models[from]!, step, clockMs, bound));
          seen.push(JSON.stringify(books.at(-1)));
        }
        // One comparison per run: thousands of separate expect calls made this test a minute long.
        const observed = books.map((book) => ({
          json: book.toJSON(),
          open: [...book.openGenerations()],
          openCount: book.openCount,
          firstOpen: book.firstOpen(),
          ids: [...IDS, 'unknown'].map((id) => ({
            open: book.open(id),
            settled: book.settled(id),
            known: book.known(id),
          })),
          text: JSON.stringify(book),
        }));
        const wanted = models.map((model, index) => ({
          json: model,
          open: model.open.map(([, open]) => open),
          openCount: model.open.length,
          firstOpen: model.open[0]?.[1],
          ids: [...IDS, 'unknown'].map((id) => {
            const open = model.open.find(([openId]) => openId === id)?.[1];
            const settled = model.settled.find(([settledId]) => settledId === id)?.[1];
            return { open, settled, known: open ?? settled };
          }),
          // None changes an earlier book: each still serializes as it did when made.
          text: seen[index],
        }));
        expect(observed).toEqual(wanted);
      }),
      { numRuns: 150 },
    );
  });

  it('given a generation settled in a fold, then the book before still has it open and the one after remembers how it ended', () => {
    const charged = GenerationBook.empty(10)
      .withOpened(generation('a', 1))
      .withOpened(generation('b', 2));
    const kept = charged.withSettled('a', settledAs('kept', 'a'));
    expect(charged.open('a')?.holdExpiresAtMs).toBe(1);
    expect(charged.settled('a')).toBeUndefined();
    expect(kept.open('a')).toBeUndefined();
    expect(kept.settled('a')?.status).toBe('kept');
    expect(kept.firstOpen()?.generationId).toBe('b');
  });

  it('given generations settled out of charge order, when the first to lapse settles, then the next to lapse is the next still open', () => {
    const charged = ['a', 'b', 'c', 'd'].reduce(
      (book, id, index) => book.withOpened(generation(id, index)),
      GenerationBook.empty(10),
    );
    const settled = charged
      .withSettled('b', settledAs('kept', 'b'))
      .withSettled('c', settledAs('discarded', 'c'))
      .withSettled('a', settledAs('lapsed', 'a'));
    expect(settled.firstOpen()?.generationId).toBe('d');
    expect([...settled.openGenerations()].map(({ generationId }) => generationId)).toEqual(['d']);
    expect(charged.firstOpen()?.generationId).toBe('a');
  });

  it('given a long fold, when more generations settle than it remembers, then it forgets the oldest and keeps every open one', () => {
    let book = GenerationBook.empty(3).withOpened(generation('held', 0));
    for (let n = 0; n < 100; n += 1)
      book = book
        .withOpened(generation(`g${n}`, n))
        .withSettled(`g${n}`, settledAs('kept', `g${n}`));
    expect(book.toJSON().settled.map(([id]) => id)).toEqual(['g97', 'g98', 'g99']);
    expect(book.known('g96')).toBeUndefined();
    expect(book.firstOpen()?.generationId).toBe('held');
    expect(book.openCount).toBe(1);
  });

  it('given a long fold that drops the open records of settled generations, then an earlier book still sees them open, and can still be written through', () => {
    let book = GenerationBook.empty(1_000);
    for (let n = 0; n < 50; n += 1) book = book.withOpened(generation(`early${n}`, n));
    const early = book;
    const seen = JSON.stringify(early);
    for (let n = 0; n < 50; n += 1)
      book = book.withSettled(`early${n}`, settledAs('kept', `early${n}`));
    for (let n = 0; n < 500; n += 1)
      book = book
        .withOpened(generation(`g${n}`, 100 + n))
        .withSettled(`g${n}`, settledAs('discarded', `g${n}`));
    expect(JSON.stringify(early)).toBe(seen);
    expect(early.open('early7')?.holdExpiresAtMs).toBe(7);
    expect(early.known('g3')).toBeUndefined();
    expect(book.settled('early7')?.status).toBe('kept');
    expect(book.openCount).toBe(0);
    const branch = early.withSettled('early0', settledAs('lapsed', 'early0'));
    expect(branch.firstOpen()?.generationId).toBe('early1');
    expect(branch.settled('early0')?.status).toBe('lapsed');
    expect(book.settled('early0')?.status).toBe('kept');
  });

  it('given two books with the same generations built differently, then they are equal', () => {
    const forwards = GenerationBook.empty(2)
      .withSettled('x', settledAs('refused', 'x'))
      .withSettled('a', settledAs('refused', 'a'))
      .withOpened(generation('b', 5));
    const branched = GenerationBook.empty(2)
      .withOpened(generation('b', 5))
      .withSettled('x', settledAs('refused', 'x'))
      .withSettled('a', settledAs('refused', 'a'));
    expect(forwards).toEqual(branched);
    expect(forwards).not.toEqual(branched.withSettled('a', settledAs('kept', 'a')));
  });
});
