/**
 * The one rule for every time the system accepts (wire events, HTTP, the CLI, price books): an
 * RFC 3339 date-time that names a real instant. A valid calendar date (years 0000-9999), hours
 * 00-23, minutes and seconds 00-59, an optional fraction, and `Z` or `±hh:mm` (`T` and `Z` may be
 * lower case, as RFC 3339 allows; a space instead of `T` is not RFC 3339 and is refused).
 *
 * A leap second (`:60`) is refused: no producer of ours writes one (JavaScript, Java and the
 * databases smear leap seconds away), so a `:60` is a producer's bug, and reading it as some
 * other instant would place a charge where nobody put it. See docs/instants.md.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** Longer than any date-time the pattern admits: the pattern never scans more. */
const MAX_INSTANT_CHARS = 35;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The instant `text` names, in milliseconds since the epoch (a fraction is cut to milliseconds),
 * or undefined when it is not a strict RFC 3339 date-time of a real instant.
 */
export function strictInstantMillis(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length > MAX_INSTANT_CHARS) return undefined;
  const parts = DATE_TIME.exec(text);
  if (parts === null) return undefined;
  const field = (index: number): number => Number(parts[index] ?? 0);
  const [year, month, day] = [field(1), field(2), field(3)];
  const real =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    field(4) <= 23 &&
    field(5) <= 59 &&
    field(6) <= 59 &&
    field(7) <= 23 &&
    field(8) <= 59;
  if (!real) return undefined;
  // Once the fields are known to be real, the platform's reading is the ledger's (millisOf reads
  // stored times the same way), so a time reads alike at the boundary and in every later fold.
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export const INSTANT_EXAMPLE = '2026-11-25T10:00:00Z';

/** What a refused time is told, after the name of its field. */
export const INSTANT_RULE =
  'must be an RFC 3339 date-time naming a real instant, such as 2026-11-25T10:00:00Z ' +
  '(a real calendar date, hours 00-23, minutes and seconds 00-59, Z or ±hh:mm)';
