#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '@credits/config';
import { StartupError, unsupportedNode } from '@credits/runtime';
import { ExitCode, UsageError } from './exit-codes';
import { balancesCommand } from './verbs/balances';
import { catalogCommand } from './verbs/catalog';
import { claimsCommand } from './verbs/claims';
import { kafkaCommand } from './verbs/kafka';
import { demoCommand } from './verbs/demo';
import { dlqCommand } from './verbs/dlq';
import { initKeys } from './verbs/keys';
import { projectionsCommand } from './verbs/projections';
import { reconcileCommand } from './verbs/reconcile';
import { revenueCommand } from './verbs/revenue';
import { statementCommand } from './verbs/statement';
import { statusCommand } from './verbs/status';
import { whatIfCommand } from './verbs/what-if';

/** `credits`: finance and ops tooling, on the same configuration as the services. */
const program = new Command()
  .name('credits')
  .description('Finance and ops tooling for the image-credit ledger')
  .exitOverride()
  // The Node.js it runs on: the project pins one (package.json), and scripts may check it.
  .version(`credits on Node.js ${process.version}`, '-V, --version', 'say which Node.js runs it')
  .showHelpAfterError('(run credits --help for the list of verbs, credits <verb> --help for one)')
  .addHelpText(
    'after',
    '\nExit codes: 0 done, 1 a store or broker failed, 2 bad arguments or configuration, 3 reconcile found differences, or status found something stalled.',
  );

program
  .command('config')
  .description('validate the environment and print the settings the services would use')
  .action(() => {
    const config = loadConfig();
    const databaseUrl = new URL(config.database.url);
    if (databaseUrl.password) databaseUrl.password = '***';
    console.log(JSON.stringify({ ...config, database: { url: databaseUrl.toString() } }, null, 2));
  });

program
  .command('keys')
  .description('API keys of the quota service')
  .command('init')
  .description(
    'make one key per role (worker, billing, finance, ops) into a file only you can read, unless it exists',
  )
  .requiredOption('--file <path>', 'where the keys go', '.secrets/api-keys.env')
  .action(({ file }: { file: string }) => {
    const result = initKeys(file);
    console.log(`${result.created ? 'made' : 'kept'} ${result.file}`);
  });

statementCommand(program);
balancesCommand(program);
revenueCommand(program);
reconcileCommand(program);
projectionsCommand(program);
dlqCommand(program);
statusCommand(program);
demoCommand(program);
whatIfCommand(program);
catalogCommand(program);
claimsCommand(program);
kafkaCommand(program);

function fail(code: number, lines: readonly string[]): never {
  for (const line of lines) console.error(`credits: error: ${line}`);
  process.exit(code);
}

const unsupported = unsupportedNode();
if (unsupported) console.error(`credits: warning: ${unsupported}`);

program.parseAsync().catch((error: unknown) => {
  if (error instanceof CommanderError)
    process.exit(error.exitCode === 0 ? ExitCode.ok : ExitCode.badArguments);
  if (error instanceof ConfigError) fail(ExitCode.badArguments, error.problems);
  if (error instanceof UsageError) fail(ExitCode.badArguments, [error.message]);
  if (error instanceof StartupError) fail(ExitCode.failed, [error.message]);
  fail(ExitCode.failed, [error instanceof Error ? error.message : String(error)]);
});
