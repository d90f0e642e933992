import { builtEntry, startNode } from './processes';

/** Runs the built `credits` command to its end: its exit code and what it printed on stdout. */
export async function runCredits(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string[] }> {
  const run = startNode([builtEntry('credits-cli'), ...args], env);
  const exit = await run.exited;
  return { code: exit.code, stdout: run.stdout.join('\n'), stderr: run.stderr };
}

/** Until every read model has handled the whole ledger (as `credits projections status` says). */
export async function readModelsCaughtUp(env: NodeJS.ProcessEnv): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const status = await runCredits(['projections', 'status', '--format', 'json'], env);
    const rows = JSON.parse(status.stdout) as { eventsBehind: number }[];
    if (rows.every((row) => row.eventsBehind === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('read models did not catch up');
}
