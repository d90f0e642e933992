/* global fetch, AbortSignal */
// A container's healthcheck without curl in the image: exit 0 when the URL answers 2xx in time.
const url = process.argv[2];
fetch(url, { signal: AbortSignal.timeout(4_000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
