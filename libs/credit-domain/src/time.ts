/** An instant as RFC 3339 text, as it travels in events; the domain never reads a clock. */
export type Instant = string;

const ZERO = 48;

/** The number the `length` digits at `at` spell, or -1 if any is not a digit. */
function digits(text: string, at: number, length: number): number {
  let value = 0;
  for (let index = at; index < at + length; index += 1) {
    const digit = text.charCodeAt(index) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.sss]Z` in the ranges where `Date.UTC` and `Date.parse` agree (the form
 * `instantOf` writes and most wire times take), read without the general parser; NaN for any
 * other text, which `Date.parse` reads instead. A property test holds the two equal.
 */
function utcMillis(text: string): number {
  const length = text.length;
  if ((length !== 20 && length !== 24) || text.charCodeAt(length - 1) !== 90 /* Z */) return NaN;
  if (
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text[13] !== ':' ||
    text[16] !== ':'
  )
    return NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  let millis = 0;
  if (length === 24) {
    if (text[19] !== '.') return NaN;
    millis = digits(text, 20, 3);
  }
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > 28 || hour > 23) return NaN;
  if (minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

export function millisOf(instant: Instant): number {
  const fast = utcMillis(instant);
  if (!Number.isNaN(fast)) return fast;
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 instant: ${instant}`);
  return ms;
}

/** The canonical form of an instant: UTC, milliseconds, `Z`. */
export function instantOf(ms: number): Instant {
  return new Date(ms).toISOString();
}
