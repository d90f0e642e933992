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

/** Never removed, as a version: a small integer, so the array stays one of small integers. */
const LIVE = 2 ** 30;

/**
 * What one line of history has written, in order, shared by every map along it. Positions and
 * versions count from the start of this log; a compaction or a branch starts a new one.
 */
interface Log<V> {
  readonly keys: string[];
  readonly values: V[];
  /** The version whose operation removed each position, or LIVE. */
  readonly removedAt: number[];
  readonly positions: Map<string, number>;
  /** The operation that made each version: the position added, or ~position removed. */
  readonly operations: number[];
}

function newLog<V>(entries: readonly (readonly [string, V])[]): Log<V> {
  return {
    keys: entries.map(([key]) => key),
    values: entries.map(([, value]) => value),
    removedAt: entries.map(() => LIVE),
    positions: new Map(entries.map(([key], position) => [key, position])),
    operations: [0],
  };
}

/** Up to this many entries, a map is a copied array: smaller than a log, and as quick to scan. */
const SMALL_MAP_ENTRIES = 8;

/** Keys and values alternating, oldest first. */
type Pairs = readonly unknown[];

/**
 * An immutable insertion-ordered map built for folding a stream forwards: O(1) reads, writes and
 * removals, and no copying on the usual path. With a bound it keeps only the newest `bound`
 * entries (a memory of recent keys); without one it keeps everything.
 *
 * A small map is an array of pairs, copied on every change: most accounts remember only a few
 * things, and an account's state should cost little to keep in memory. A larger one is a log:
 * every map along one line of history shares one append-only log and sees it as of its own
 * version. Writing through the newest map appends to the log in place, which older maps cannot
 * see. Writing through an older map (a branch), or writing a key the log has held before, copies
 * the map's entries into a new log first: correct always, fast when folding forwards. The log is
 * compacted once its operations outnumber twice the live entries, so memory stays bounded.
 */
export class ForwardMap<V> {
  /** The entries of a small map; null for a log. */
  readonly #pairs: Pairs | null;
  readonly #log: Log<V>;
  readonly #version: number;
  /** The first live position (or `#end` when empty) and the log's length, at this version. */
  readonly #head: number;
  readonly #end: number;
  readonly #size: number;
  readonly #bound: number;

  private constructor(
    pairs: Pairs | null,
    log: Log<V>,
    version: number,
    head: number,
    end: number,
    size: number,
    bound: number,
  ) {
    this.#pairs = pairs;
    this.#log = log;
    this.#version = version;
    this.#head = head;
    this.#end = end;
    this.#size = size;
    this.#bound = bound;
  }

  static empty<V>(bound = Infinity): ForwardMap<V> {
    return ForwardMap.of<V>([], bound);
  }

  /** A map of these entries, oldest first (the newest `bound` of them). */
  static of<V>(entries: readonly (readonly [string, V])[], bound = Infinity): ForwardMap<V> {
    const kept = entries.slice(Math.max(0, entries.length - bound));
    if (kept.length <= SMALL_MAP_ENTRIES) return ForwardMap.#small<V>(kept.flat(), bound);
    return new ForwardMap(null, newLog(kept), 0, 0, kept.length, kept.length, bound);
  }

  static #small<V>(pairs: Pairs, bound: number): ForwardMap<V> {
    return new ForwardMap<V>(pairs, NO_LOG as Log<V>, 0, 0, 0, pairs.length / 2, bound);
  }

  /** How many entries this map keeps (Infinity: all). */
  get bound(): number {
    return this.#bound;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    const pairs = this.#pairs;
    if (pairs !== null) {
      const index = indexOfKey(pairs, key);
      return index < 0 ? undefined : (pairs[index + 1] as V);
    }
    const position = this.#log.positions.get(key);
    if (position === undefined || !this.#isLive(position)) return undefined;
    return this.#log.values[position];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The oldest entry's value. */
  first(): V | undefined {
    if (this.#pairs !== null) return this.#pairs[1] as V | undefined;
    return this.#head < this.#end ? this.#log.values[this.#head] : undefined;
  }

  /** The newest entry's value. */
  last(): V | undefined {
    if (this.#pairs !== null) return this.#pairs[this.#pairs.length - 1] as V | undefined;
    for (let position = this.#end - 1; position >= this.#head; position -= 1)
      if (this.#isLive(position)) return this.#log.values[position];
    return undefined;
  }

  /** This map with `key` set to `value`: the newest entry, or updated in place if present. */
  with(key: string, value: V): ForwardMap<V> {
    if (this.#pairs !== null) return this.#smallWith(this.#pairs, key, value);
    const log = this.#log;
    const next = log.operations[this.#version + 1];
    // The same write again along the same line (a caller folding again events that
    // decideAndEvolve has folded, from the same state): the log already holds it.
    if (
      next !== undefined &&
      next >= 0 &&
      log.keys[next] === key &&
      sameValue(log.values[next], value)
    )
      return this.#added(next);
    if (next !== undefined || log.positions.has(key) || this.#full())
      return this.#rewritten((entries) => {
        const existing = entries.findIndex(([candidate]) => candidate === key);
        if (existing >= 0) entries[existing] = [key, value];
        else entries.push([key, value]);
      });
    const position = log.keys.length;
    log.keys.push(key);
    log.values.push(value);
    log.removedAt.push(LIVE);
    log.positions.set(key, position);
    log.operations.push(position);
    return this.#added(position);
  }

  /** This map without `key`. */
  without(key: string): ForwardMap<V> {
    const pairs = this.#pairs;
    if (pairs !== null) {
      const index = indexOfKey(pairs, key);
      if (index < 0) return this;
      return ForwardMap.#small([...pairs.slice(0, index), ...pairs.slice(index + 2)], this.#bound);
    }
    const log = this.#log;
    const position = log.positions.get(key);
    if (position === undefined || !this.#isLive(position)) return this;
    const next = log.operations[this.#version + 1];
    if (next === ~position) return this.#removed(position);
    if (next !== undefined || this.#full())
      return this.#rewritten((entries) => {
        entries.splice(
          entries.findIndex(([candidate]) => candidate === key),
          1,
        );
      });
    log.removedAt[position] = this.#version + 1;
    log.operations.push(~position);
    return this.#removed(position);
  }

  /** Oldest first: what equality, iteration and JSON see of this map. */
  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.#entries();
  }

  toJSON(): [string, V][] {
    return [...this.#entries()];
  }

  #smallWith(pairs: Pairs, key: string, value: V): ForwardMap<V> {
    const index = indexOfKey(pairs, key);
    if (index >= 0) {
      if (sameValue(pairs[index + 1], value)) return this;
      const updated = pairs.slice();
      updated[index + 1] = value;
      return ForwardMap.#small(updated, this.#bound);
    }
    if (this.#size >= SMALL_MAP_ENTRIES && this.#bound > SMALL_MAP_ENTRIES)
      return ForwardMap.of([...this.#entries(), [key, value]], this.#bound);
    // Past the bound, the oldest entry goes.
    const added = pairs.slice(this.#size >= this.#bound ? 2 : 0);
    added.push(key, value);
    return ForwardMap.#small(added, this.#bound);
  }

  /** The map after the operation that added `position` (already in the log). */
  #added(position: number): ForwardMap<V> {
    const version = this.#version + 1;
    const head = this.#size === 0 ? position : this.#head;
    if (this.#size < this.#bound)
      return new ForwardMap(
        null,
        this.#log,
        version,
        head,
        position + 1,
        this.#size + 1,
        this.#bound,
      );
    // Past the bound: the same operation evicted the oldest entry.
    if (this.#log.removedAt[head] === LIVE) this.#log.removedAt[head] = version;
    const nextHead = this.#liveFrom(head + 1, version, position + 1);
    return new ForwardMap(
      null,
      this.#log,
      version,
      nextHead,
      position + 1,
      this.#size,
      this.#bound,
    );
  }

  /** The map after the operation that removed `position` (already in the log). */
  #removed(position: number): ForwardMap<V> {
    const version = this.#version + 1;
    const head =
      position === this.#head ? this.#liveFrom(position + 1, version, this.#end) : this.#head;
    return new ForwardMap(null, this.#log, version, head, this.#end, this.#size - 1, this.#bound);
  }

  /** A new log of this map's entries, changed by `change`: a branch, a rewrite or a compaction. */
  #rewritten(change: (entries: [string, V][]) => void): ForwardMap<V> {
    const entries = [...this.#entries()];
    change(entries);
    return ForwardMap.of(entries, this.#bound);
  }

  /** Whether the log holds so many operations beyond the live entries that it should be compacted. */
  #full(): boolean {
    return this.#log.operations.length > 2 * this.#size + 32;
  }

  #isLive(position: number): boolean {
    return position < this.#end && this.#log.removedAt[position]! > this.#version;
  }

  #liveFrom(position: number, version: number, end: number): number {
    let live = position;
    while (live < end && this.#log.removedAt[live]! <= version) live += 1;
    return live;
  }

  *#entries(): IterableIterator<[string, V]> {
    const pairs = this.#pairs;
    if (pairs !== null) {
      for (let index = 0; index < pairs.length; index += 2)
        yield [pairs[index] as string, pairs[index + 1] as V];
      return;
    }
    const log = this.#log;
    for (let position = this.#head; position < this.#end; position += 1)
      if (this.#isLive(position)) yield [log.keys[position]!, log.values[position]!];
  }
}

/** What a small map has for a log: nothing, shared. */
const NO_LOG: Log<never> = newLog([]);

function indexOfKey(pairs: Pairs, key: string): number {
  for (let index = 0; index < pairs.length; index += 2) if (pairs[index] === key) return index;
  return -1;
}
