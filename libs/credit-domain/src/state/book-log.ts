import type { OpenGeneration, SettledGeneration } from './records';

/** Not settled, as a version: a small integer, so the slots stay small integers or pointers. */
export const LIVE = 2 ** 30;

// A position's fields lie side by side in one array: a log is one allocation however few its
// generations (most accounts have a handful), and a position's fields share a cache line.
const ID = 0;
const OPENED = 1;
const SETTLED_VERSION = 2;
const SETTLED = 3;
const SETTLE_ORDER = 4;
const FIELDS = 5;

/** Up to this many positions an id is found by scanning them; past it, by a Map. */
const SCANNED_POSITIONS = 8;

/**
 * What one line of history has written, shared by every `GenerationBook` along it. A position
 * is one generation: open from the version that added it until the version that settled it,
 * then settled. Positions and versions count from the start of this log; a rebuild starts a new
 * one.
 */
export interface BookLog {
  /**
   * Per position: the generation id; its record while open (null for one recorded as settled
   * at once, refused); the version whose write settled it, or LIVE; its settled record; and how
   * many generations of this log were settled before it.
   */
  readonly slots: unknown[];
  /** Positions by id, once the log is too long to scan. */
  positions: Map<string, number> | null;
  /** The newest version written along this log: only the book at it writes in place. */
  latest: number;
  /** Positions settled in place whose open record only older books can still see. */
  readonly stale: number[];
}

/** Every log is built here, fields in one order: one shape keeps every read of a log quick. */
function bookLog(slots: unknown[], positions: Map<string, number> | null, latest: number): BookLog {
  return { slots, positions, latest, stale: [] };
}

export function emptyBookLog(): BookLog {
  return bookLog([], null, 0);
}

export function lengthOf(log: BookLog): number {
  return log.slots.length / FIELDS;
}

export function idAt(log: BookLog, position: number): string {
  return log.slots[position * FIELDS + ID] as string;
}

export function openRecordAt(log: BookLog, position: number): OpenGeneration | null {
  return log.slots[position * FIELDS + OPENED] as OpenGeneration | null;
}

export function settledVersionAt(log: BookLog, position: number): number {
  return log.slots[position * FIELDS + SETTLED_VERSION] as number;
}

export function settledRecordAt(log: BookLog, position: number): SettledGeneration {
  return log.slots[position * FIELDS + SETTLED] as SettledGeneration;
}

export function settleOrderAt(log: BookLog, position: number): number {
  return log.slots[position * FIELDS + SETTLE_ORDER] as number;
}

/** The position of this id anywhere in the log, or -1. */
export function positionIn(log: BookLog, id: string): number {
  if (log.positions !== null) return log.positions.get(id) ?? -1;
  const slots = log.slots;
  for (let slot = ID; slot < slots.length; slot += FIELDS)
    if (slots[slot] === id) return slot / FIELDS;
  return -1;
}

/** Adds a position (ids are unique within a log) and returns it. */
export function append(
  log: BookLog,
  id: string,
  opened: OpenGeneration | null,
  settledVersion: number,
  settled: SettledGeneration | null,
  settleOrder: number,
): number {
  const position = lengthOf(log);
  log.slots.push(id, opened, settledVersion, settled, settleOrder);
  if (log.positions !== null) log.positions.set(id, position);
  else if (position + 1 > SCANNED_POSITIONS) {
    const positions = new Map<string, number>();
    for (let known = 0; known <= position; known += 1) positions.set(idAt(log, known), known);
    log.positions = positions;
  }
  return position;
}

/** Marks an open position settled by `version`, as the `order`-th settled of this log. */
export function settle(
  log: BookLog,
  position: number,
  version: number,
  record: SettledGeneration,
  order: number,
): void {
  const base = position * FIELDS;
  log.slots[base + SETTLED_VERSION] = version;
  log.slots[base + SETTLED] = record;
  log.slots[base + SETTLE_ORDER] = order;
  log.stale.push(position);
}

/**
 * Whether a log holds enough open records of settled generations to copy it without them. The
 * newest book needs none of them; older ones keep the log they were made on.
 */
export function hasManyStale(log: BookLog): boolean {
  return log.stale.length > 32 + (lengthOf(log) >> 3);
}

/**
 * `log` without the open records of its settled generations, for the newest book to write on, so
 * they can be collected once no older book holds the old log. Positions stay where they were, so
 * the position map is shared; the old log's books look only at positions they had, and the old
 * log can no longer be written in place.
 */
export function slimmed(log: BookLog): BookLog {
  const slots = log.slots.slice();
  for (const position of log.stale) slots[position * FIELDS + OPENED] = null;
  log.latest = -1;
  return bookLog(slots, log.positions, -1);
}
