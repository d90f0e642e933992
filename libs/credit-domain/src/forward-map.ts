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

/**
 * An immutable insertion-ordered map built for folding a stream forwards: O(1) reads, writes and
 * removals, and no copying on the usual path. With a bound it keeps only the newest `bound`
 * entries (a memory of recent keys); without one it keeps everything.
 *
 * Every map along one line of history shares one append-only log and sees it as of its own
 * version. Writing through the newest map appends to the log in place, which older maps cannot
 * see. Writing through an older map (a branch), or writing a key the log has held before, copies
 * the map's entries into a new log first: correct always, fast when folding forwards. The log is
 * compacted once its operations outnumber twice the live entries, so memory stays bounded.
 */
export class ForwardMap<V> {
  readonly #log: Log<V>;
  readonly #version: number;
  /** The first live position (or `#end` when empty) and the log's length, at this version. */
  readonly #head: number;
  readonly #end: number;
  readonly #size: number;
  readonly #bound: number;

  private constructor(
    log: Log<V>,
    version: number,
    head: number,
    end: number,
    size: number,
    bound: number,
  ) {
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
    return new ForwardMap(newLog(kept), 0, 0, kept.length, kept.length, bound);
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    const position = this.#log.positions.get(key);
    if (position === undefined || !this.#isLive(position)) return undefined;
    return this.#log.values[position];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The oldest entry's value. */
  first(): V | undefined {
    return this.#head < this.#end ? this.#log.values[this.#head] : undefined;
  }

  /** The newest entry's value. */
  last(): V | undefined {
    for (let position = this.#end - 1; position >= this.#head; position -= 1)
      if (this.#isLive(position)) return this.#log.values[position];
    return undefined;
  }

  /** This map with `key` set to `value`: the newest entry, or updated in place if present. */
  with(key: string, value: V): ForwardMap<V> {
    const log = this.#log;
    const next = log.operations[this.#version + 1];
    // The same write again along the same line (a decider looking ahead, then the caller
    // folding what it decided): the log already holds it.
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

  /** The map after the operation that added `position` (already in the log). */
  #added(position: number): ForwardMap<V> {
    const version = this.#version + 1;
    const head = this.#size === 0 ? position : this.#head;
    if (this.#size < this.#bound)
      return new ForwardMap(this.#log, version, head, position + 1, this.#size + 1, this.#bound);
    // Past the bound: the same operation evicted the oldest entry.
    if (this.#log.removedAt[head] === LIVE) this.#log.removedAt[head] = version;
    const nextHead = this.#liveFrom(head + 1, version, position + 1);
    return new ForwardMap(this.#log, version, nextHead, position + 1, this.#size, this.#bound);
  }

  /** The map after the operation that removed `position` (already in the log). */
  #removed(position: number): ForwardMap<V> {
    const version = this.#version + 1;
    const head =
      position === this.#head ? this.#liveFrom(position + 1, version, this.#end) : this.#head;
    return new ForwardMap(this.#log, version, head, this.#end, this.#size - 1, this.#bound);
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
    const log = this.#log;
    for (let position = this.#head; position < this.#end; position += 1)
      if (this.#isLive(position)) yield [log.keys[position]!, log.values[position]!];
  }
}
