/** Names unique to this test run (and test), so runs sharing one broker never see each other. */
export function uniqueName(prefix: string): string {
  const run = process.env.TEST_RUN_ID ?? 'adhoc';
  return `${prefix}-${run}-${Math.random().toString(36).slice(2, 8)}`;
}
