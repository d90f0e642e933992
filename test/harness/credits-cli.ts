import { builtEntry, startCommand } from './processes';

/** Runs the built `credits` command to its end: its exit code and what it printed on stdout. */
export async function runCredits(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string[] }> {
  const run = startCommand('node', [builtEntry('credits-cli'), ...args], env);
  const exit = await run.exited;
  return { code: exit.code, stdout: run.stdout.join('\n'), stderr: run.stderr };
}
