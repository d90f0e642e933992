#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '@credits/config';
import { initKeys } from './verbs/keys';

/**
 * `credits`: finance and ops tooling. Verbs arrive with their issues; for now it validates the
 * configuration it shares with the services and shows it.
 */
const program = new Command()
  .name('credits')
  .description('Finance and ops tooling for the image-credit ledger')
  .exitOverride()
  .showHelpAfterError('(run credits --help for the list of verbs)');

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
    'make one key per role (worker, finance, ops) into a file only you can read, unless it exists',
  )
  .requiredOption('--file <path>', 'where the keys go', '.secrets/api-keys.env')
  .action(({ file }: { file: string }) => {
    const result = initKeys(file);
    console.log(`${result.created ? 'made' : 'kept'} ${result.file}`);
  });

try {
  program.parse();
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(`credits: error: ${problem}`);
    process.exit(2);
  }
  throw error;
}
