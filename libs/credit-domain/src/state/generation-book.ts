import {
  append,
  emptyBookLog,
  hasManyStale,
  idAt,
  lengthOf,
  LIVE,
  openRecordAt,
  positionIn,
  settle,
  settledRecordAt,
  settledVersionAt,
  settleOrderAt,
  slimmed,
  type BookLog,
} from './book-log';
import type { OpenGeneration, SettledGeneration } from './records';

/** Generations to build a book of: open ones in hold-expiry order, settled ones oldest first. */
export interface BookContents {
  readonly open: (readonly [string, OpenGeneration])[];
  readonly settled: (readonly [string, SettledGeneration])[];
}

/**
 * An account's generations, open and settled, in one immutable structure built for folding a
 * stream forwards. Open generations are kept in hold-expiry order (the next to lapse is the
 * first) and all of them; settled ones, the newest `bound`, so a redelivered request, accept or
 * reject finds what became of its generation.
 *
 * Why one structure, not a map of open and a map of settled: a generation settles once, and
 * moving it from one map to the other cost a removal and an insert into a large map of a cold
 * account at every accept, reject and lapse. Here it keeps its position and settling writes a
 * few array slots; looking a generation up is one look-up whatever became of it.
 *
 * Every book along one line of history shares one log and sees it as of its own version (as
 * `ForwardMap` does): writing through the newest book writes the log in place, which older
 * books cannot see. Writing through an older book (a branch), opening a generation out of
 * hold-expiry order or an id the log has held, or a log holding more forgotten generations
 * than remembered ones, rebuilds the book's contents into a new log first: correct always,
 * fast when folding forwards. Every so often the newest book moves to a copy of the log without
 * the open records of settled generations (see `slimmed`), so they do not outlive their use.
 */
export class GenerationBook {
  readonly #log: BookLog;
  readonly #version: number;
  /** The log's length at this version. */
  readonly #end: number;
  /** The first open position (meaningful while anything is open). */
  readonly #head: number;
  readonly #openCount: number;
  /** Generations settled along this line so far: the newest `bound` of them are remembered. */
  readonly #settledCount: number;
  /** The latest hold expiry opened along this line: a new one before it is out of order. */
  readonly #latestExpiryMs: number;
  readonly #bound: number;

  private constructor(
    log: BookLog,
    version: number,
    end: number,
    head: number,
    openCount: number,
    settledCount: number,
    latestExpiryMs: number,
    bound: number,
  ) {
    this.#log = log;
    this.#version = version;
    this.#end = end;
    this.#head = head;
    this.#openCount = openCount;
    this.#settledCount = settledCount;
    this.#latestExpiryMs = latestExpiryMs;
    this.#bound = bound;
  }

  /** A book remembering the newest `bound` settled generations. */
  static empty(bound = Infinity): GenerationBook {
    const empty = GenerationBook.#of({ open: [], settled: [] }, bound);
    // An empty book is shared (every account starts from the initial state): the first write
    // through it starts a log of the account's own rather than writing in the shared one.
    empty.#log.latest = -1;
    return empty;
  }

  /** A book of these generations (the newest `bound` settled ones), as `toJSON` gives them. */
  static of(contents: BookContents, bound: number): GenerationBook {
    return GenerationBook.#of(contents, bound);
  }

  /** How many settled generations this book remembers. */
  get bound(): number {
    return this.#bound;
  }

  static #of(contents: BookContents, bound: number): GenerationBook {
    const settled = contents.settled.slice(Math.max(0, contents.settled.length - bound));
    const log = emptyBookLog();
    // Settled first, oldest first; open after, in hold-expiry order. At version 0 every settled
    // position reads as settled (settled by version 0) and every open one as open.
    for (const [id, record] of settled) append(log, id, null, 0, record, lengthOf(log));
    let latestExpiryMs = -Infinity;
    for (const [id, generation] of contents.open) {
      append(log, id, generation, LIVE, null, LIVE);
      latestExpiryMs = Math.max(latestExpiryMs, generation.holdExpiresAtMs);
    }
    return new GenerationBook(
      log,
      0,
      lengthOf(log),
      settled.length,
      contents.open.length,
      settled.length,
      latestExpiryMs,
      bound,
    );
  }

  get openCount(): number {
    return this.#openCount;
  }

  /** The generation open under this id. */
  open(generationId: string): OpenGeneration | undefined {
    const position = this.#positionOf(generationId);
    return position >= 0 && this.#isOpen(position) ? openRecordAt(this.#log, position)! : undefined;
  }

  /** What became of the generation settled under this id, while it is remembered. */
  settled(generationId: string): SettledGeneration | undefined {
    const position = this.#positionOf(generationId);
    return position >= 0 && this.#isRemembered(position)
      ? settledRecordAt(this.#log, position)
      : undefined;
  }

  /** The generation under this id, open or remembered as settled: one look-up for both. */
  known(generationId: string): OpenGeneration | SettledGeneration | undefined {
    const position = this.#positionOf(generationId);
    if (position < 0) return undefined;
    if (this.#isOpen(position)) return openRecordAt(this.#log, position)!;
    return this.#isRemembered(position) ? settledRecordAt(this.#log, position) : undefined;
  }

  /** The open generation whose hold lapses first. */
  firstOpen(): OpenGeneration | undefined {
    return this.#openCount > 0 ? openRecordAt(this.#log, this.#head)! : undefined;
  }

  /** Open generations, soonest hold expiry first. */
  *openGenerations(): IterableIterator<OpenGeneration> {
    if (this.#openCount === 0) return;
    for (let position = this.#head; position < this.#end; position += 1)
      if (this.#isOpen(position)) yield openRecordAt(this.#log, position)!;
  }

  /** This book with `generation` open, in its place by hold expiry (after any equal). */
  withOpened(generation: OpenGeneration): GenerationBook {
    const id = generation.generationId;
    if (
      !this.#writable() ||
      generation.holdExpiresAtMs < this.#latestExpiryMs ||
      positionIn(this.#log, id) >= 0 ||
      this.#crowded()
    )
      return this.#rebuilt(({ open, settled }) => ({
        open: withByExpiry(open, generation),
        settled: settled.filter(([settledId]) => settledId !== id),
      }));
    const log = this.#log;
    const position = append(log, id, generation, LIVE, null, LIVE);
    log.latest = this.#version + 1;
    return new GenerationBook(
      log,
      this.#version + 1,
      position + 1,
      this.#openCount === 0 ? position : this.#head,
      this.#openCount + 1,
      this.#settledCount,
      generation.holdExpiresAtMs,
      this.#bound,
    );
  }

  /**
   * This book with the generation under this id settled as `record`: an open one leaves the open
   * generations; one never open (refused) is remembered settled at once.
   */
  withSettled(generationId: string, record: SettledGeneration): GenerationBook {
    const position = this.#positionOf(generationId);
    if (this.#writable() && position >= 0 && this.#isOpen(position))
      return this.#settledInPlace(position, record);
    if (this.#writable() && position < 0 && !this.#crowded())
      return this.#settledAtOnce(generationId, record);
    return this.#rebuilt(({ open, settled }) => ({
      open: open.filter(([id]) => id !== generationId),
      settled: [...settled.filter(([id]) => id !== generationId), [generationId, record]],
    }));
  }

  /** Open generations in order, then settled ones oldest first: what equality and JSON see. */
  *[Symbol.iterator](): IterableIterator<readonly [string, OpenGeneration | SettledGeneration]> {
    const { open, settled } = this.#contents();
    yield* open;
    yield* settled;
  }

  toJSON(): BookContents {
    return this.#contents();
  }

  #settledInPlace(position: number, record: SettledGeneration): GenerationBook {
    const version = this.#version + 1;
    const log = hasManyStale(this.#log) ? slimmed(this.#log) : this.#log;
    settle(log, position, version, record, this.#settledCount);
    log.latest = version;
    let head = this.#head;
    if (position === head && this.#openCount > 1) {
      // The next open position: settled ones between are passed once along this line.
      head += 1;
      while (openRecordAt(log, head) === null || settledVersionAt(log, head) <= version) head += 1;
    }
    return new GenerationBook(
      log,
      version,
      this.#end,
      head,
      this.#openCount - 1,
      this.#settledCount + 1,
      this.#latestExpiryMs,
      this.#bound,
    );
  }

  #settledAtOnce(generationId: string, record: SettledGeneration): GenerationBook {
    const log = this.#log;
    const version = this.#version + 1;
    append(log, generationId, null, version, record, this.#settledCount);
    log.latest = version;
    return new GenerationBook(
      log,
      version,
      this.#end + 1,
      this.#head,
      this.#openCount,
      this.#settledCount + 1,
      this.#latestExpiryMs,
      this.#bound,
    );
  }

  #rebuilt(change: (contents: BookContents) => BookContents): GenerationBook {
    return GenerationBook.#of(change(this.#contents()), this.#bound);
  }

  #contents(): BookContents {
    const log = this.#log;
    const open: [string, OpenGeneration][] = [];
    const settled: { order: number; entry: [string, SettledGeneration] }[] = [];
    for (let position = 0; position < this.#end; position += 1) {
      if (this.#isOpen(position)) open.push([idAt(log, position), openRecordAt(log, position)!]);
      else if (this.#isRemembered(position))
        settled.push({
          order: settleOrderAt(log, position),
          entry: [idAt(log, position), settledRecordAt(log, position)],
        });
    }
    settled.sort((a, b) => a.order - b.order);
    return { open, settled: settled.map(({ entry }) => entry) };
  }

  #positionOf(generationId: string): number {
    const position = positionIn(this.#log, generationId);
    return position >= this.#end ? -1 : position;
  }

  #isOpen(position: number): boolean {
    return (
      openRecordAt(this.#log, position) !== null &&
      settledVersionAt(this.#log, position) > this.#version
    );
  }

  #isRemembered(position: number): boolean {
    return (
      settledVersionAt(this.#log, position) <= this.#version &&
      this.#settledCount - settleOrderAt(this.#log, position) <= this.#bound
    );
  }

  #writable(): boolean {
    return this.#log.latest === this.#version;
  }

  /** Whether the log holds more forgotten generations than remembered ones (plus some slack). */
  #crowded(): boolean {
    const remembered = this.#openCount + Math.min(this.#settledCount, this.#bound);
    return this.#end - remembered > remembered + 32;
  }
}

/** `open` with `generation` after every generation whose hold lapses no later. */
function withByExpiry(
  open: readonly (readonly [string, OpenGeneration])[],
  generation: OpenGeneration,
): (readonly [string, OpenGeneration])[] {
  const entries = open.filter(([id]) => id !== generation.generationId);
  let index = entries.length;
  while (index > 0 && entries[index - 1]![1].holdExpiresAtMs > generation.holdExpiresAtMs)
    index -= 1;
  entries.splice(index, 0, [generation.generationId, generation]);
  return entries;
}
