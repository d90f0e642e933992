/** Values are flat records or plain values: equal when every field is. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const fields = Object.keys(a);
  if (fields.length !== Object.keys(b).length) return false;
  for (const field of fields)
    if ((a as Record<string, unknown>)[field] !== (b as Record<string, unknown>)[field])
      return false;
  return true;
}

/** The entries one line of history has written, in order, shared by every state along it. */
interface Log<V> {
  readonly keys: string[];
  readonly values: V[];
  /** Each key's absolute position: `keys[position - base]`. */
  readonly positions: Map<string, number>;
  /** The absolute position of `keys[0]`: entries before it were dropped by a compaction. */
  readonly base: number;
}

/**
 * An immutable map of the last `bound` keys written (all of them when the bound is Infinity),
 * built for folding a stream: O(1) reads and writes and no copying on the usual path.
 *
 * Every memory along one line of history shares one append-only log and sees the prefix up to
 * its own `end`. Writing through the newest memory appends to the log in place, which older
 * memories cannot see (their window ends earlier). Writing through an older memory (a branch),
 * or writing a key again, copies the window first: correct always, fast when folding forwards.
 * The log is compacted (copied) once it holds twice the bound, so memory stays bounded.
 */
export class RecentMemory<V> {
  readonly #log: Log<V>;
  readonly #end: number;
  readonly #bound: number;

  private constructor(log: Log<V>, end: number, bound: number) {
    this.#log = log;
    this.#end = end;
    this.#bound = bound;
  }

  static empty<V>(bound: number): RecentMemory<V> {
    return new RecentMemory<V>({ keys: [], values: [], positions: new Map(), base: 0 }, 0, bound);
  }

  get size(): number {
    return this.#end - this.#start();
  }

  get(key: string): V | undefined {
    const position = this.#log.positions.get(key);
    if (position === undefined || position >= this.#end || position < this.#start())
      return undefined;
    return this.#log.values[position - this.#log.base];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** This memory with `key` set to `value`: the newest entry, or updated in place if present. */
  with(key: string, value: V): RecentMemory<V> {
    const log = this.#log;
    const next = this.#end - log.base;
    // The same write again along the same line (a decider looking ahead, then the caller
    // folding what it decided): the log already holds it.
    if (next < log.keys.length && log.keys[next] === key && sameValue(log.values[next], value))
      return new RecentMemory(log, this.#end + 1, this.#bound);
    const atTip = next === log.keys.length;
    if (atTip && !log.positions.has(key) && log.keys.length < 2 * this.#bound) {
      log.keys.push(key);
      log.values.push(value);
      log.positions.set(key, this.#end);
      return new RecentMemory(log, this.#end + 1, this.#bound);
    }
    // A branch, a key written again, or a full log: a fresh log of the window, then the write.
    const entries = [...this.#window()];
    const existing = entries.findIndex(([candidate]) => candidate === key);
    if (existing >= 0) entries[existing] = [key, value];
    else entries.push([key, value]);
    const kept = entries.slice(Math.max(0, entries.length - this.#bound));
    const base = this.#end + (existing >= 0 ? 0 : 1) - kept.length;
    const fresh: Log<V> = {
      keys: kept.map(([entryKey]) => entryKey),
      values: kept.map(([, entryValue]) => entryValue),
      positions: new Map(kept.map(([entryKey], index) => [entryKey, base + index])),
      base,
    };
    return new RecentMemory(fresh, base + kept.length, this.#bound);
  }

  /** Oldest first: what equality, iteration and JSON see of this memory. */
  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.#window();
  }

  toJSON(): [string, V][] {
    return [...this.#window()];
  }

  #start(): number {
    return Math.max(this.#log.base, this.#end - this.#bound);
  }

  *#window(): IterableIterator<[string, V]> {
    const log = this.#log;
    // A log never holds a key twice: writing one again makes a fresh log.
    for (let position = this.#start(); position < this.#end; position += 1)
      yield [log.keys[position - log.base] as string, log.values[position - log.base] as V];
  }
}
