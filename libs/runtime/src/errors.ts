/** Whatever was thrown, as an Error: its message and class are what logs and dead letters show. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
