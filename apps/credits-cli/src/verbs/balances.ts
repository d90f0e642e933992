import type { Command } from 'commander';
import { millisOf } from '@credits/domain';
import { withContext } from '../context';
import { balanceOf, stateAt } from '../ledger/balance-at';
import { allLedgers } from '../ledger/history';
import { render, type Format, type Row } from '../output';
import { formatOption, instantArgument } from './options';

export function balancesCommand(program: Command): void {
  program
    .command('balances')
    .description("every account's balance at an instant, from the event history alone")
    .requiredOption('--as-of <instant>', 'the instant (RFC 3339)', instantArgument)
    .addOption(formatOption())
    .action(async (options: { asOf: string; format: Format }) => {
      const atMs = millisOf(options.asOf);
      await withContext(async (context) => {
        const ledgers = await allLedgers(await context.eventStore());
        const rows: Row[] = [...ledgers.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .flatMap(([accountId, ledger]) => {
            if (!ledger.some(({ event }) => millisOf(event.at) <= atMs)) return [];
            return [{ accountId, ...balanceOf(stateAt(ledger, atMs), atMs) }];
          });
        console.log(render(rows, ['accountId', 'available', 'held'], options.format));
      });
    });
}
