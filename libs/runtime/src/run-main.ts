import { ConfigError } from '@credits/config';
import { unsupportedNode } from './node-runtime';
import { StartupError } from './startup-error';

/** The lines an operator sees when a process cannot start: the problem and its fix, no stack. */
export function describeFailure(error: unknown): string[] {
  if (error instanceof ConfigError) return [...error.problems];
  if (error instanceof StartupError) return [error.message];
  const message = error instanceof Error ? error.message : String(error);
  return [message.split('\n')[0] ?? 'unknown error'];
}

/**
 * Runs a process's start-up, first saying which Node.js runs it (the project pins one: a process
 * started on the machine's own would say so here); any failure becomes one clear line per problem
 * on stderr and exit code 1. Set DEBUG_STARTUP=1 to see the stack as well.
 */
export function runMain(processName: string, start: () => Promise<unknown>): void {
  console.log(`${processName}: starting on Node.js ${process.version} (pid ${process.pid})`);
  const unsupported = unsupportedNode();
  if (unsupported) console.error(`${processName}: warning: ${unsupported}`);
  start().catch((error: unknown) => {
    for (const line of describeFailure(error)) console.error(`${processName}: error: ${line}`);
    if (process.env.DEBUG_STARTUP === '1' && error instanceof Error) console.error(error.stack);
    process.exit(1);
  });
}

/**
 * Once a stop signal arrives, the process gets this long to leave its consumer group and close
 * its connections; past that it exits anyway, so a stuck dependency never keeps it alive.
 */
export function exitIfStopTakesLongerThan(timeoutMs: number, log: (message: string) => void): void {
  const arm = (signal: NodeJS.Signals) => {
    log(`received ${signal}: stopping (at most ${timeoutMs} ms)`);
    setTimeout(() => {
      log(`did not stop within ${timeoutMs} ms: exiting`);
      process.exit(1);
    }, timeoutMs).unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
}
