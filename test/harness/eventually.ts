/**
 * Polls until `check` passes, or `timeoutMs` passes: the read models follow the ledger within
 * moments, and there is no signal to wait on from outside the service. Returns the last value
 * read, for the test's own assertion to say what was wrong.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls until `check` holds of the text at `url`, or fails after a minute saying what it got. */
export async function untilAnswer(url: string, check: (body: string) => boolean): Promise<string> {
  const body = await eventually(async () => (await fetch(url)).text(), check, 60_000);
  if (!check(body))
    throw new Error(`${url} never answered as expected; last: ${body.slice(0, 2_000)}`);
  return body;
}
