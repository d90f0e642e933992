/** An instant as RFC 3339 text, as it travels in events; the domain never reads a clock. */
export type Instant = string;

export function millisOf(instant: Instant): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 instant: ${instant}`);
  return ms;
}

/** The canonical form of an instant: UTC, milliseconds, `Z`. */
export function instantOf(ms: number): Instant {
  return new Date(ms).toISOString();
}
