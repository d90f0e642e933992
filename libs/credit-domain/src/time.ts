/** An instant as RFC 3339 text, as it travels in events; the domain never reads a clock. */
export type Instant = string;

// The last conversion each way. Deciding and folding one command converts the same instants
// back and forth (decide formats a hold's expiry, evolve parses it back; both read the
// command's time), and Date.parse and toISOString are among the fold's costlier calls. Both
// conversions are pure, so remembering an answer changes no result. A parsed text is not
// remembered for formatting: the same instant may be written several ways, and formatting
// always gives the canonical one.
let parsedText: Instant = '';
let parsedMs = Number.NaN;
let formattedMs = Number.NaN;
let formattedText: Instant = '';

export function millisOf(instant: Instant): number {
  if (instant === parsedText) return parsedMs;
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 instant: ${instant}`);
  parsedText = instant;
  parsedMs = ms;
  return ms;
}

export function instantOf(ms: number): Instant {
  if (ms === formattedMs) return formattedText;
  const instant = new Date(ms).toISOString();
  formattedMs = ms;
  formattedText = instant;
  // What is formatted is usually parsed back next (a hold's expiry, by evolve).
  parsedText = instant;
  parsedMs = ms;
  return instant;
}
