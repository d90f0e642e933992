import type { Command } from 'commander';
import { ACCOUNT_CATEGORY, accountOfStream } from '@credits/domain/streams';
import { millisOf } from '@credits/domain/instants';
import { hadEventsBy, ledgersAsOf, stateOfLedgerAt } from '@credits/ledger';
import { withContext } from '../context';
import { balanceOf } from '../ledger/balance-at';
import { render, type Format, type Row } from '../output';
import { formatOption, instantArgument } from './options';

/** Accounts read together: each page is one read of their snapshots and tails. */
const ACCOUNTS_PER_READ = 500;

export function balancesCommand(program: Command): void {
  program
    .command('balances')
    .description("every account's balance at an instant, from the event history alone")
    .requiredOption('--as-of <instant>', 'the instant (RFC 3339)', instantArgument)
    .addOption(formatOption())
    .action(async (options: { asOf: string; format: Format }) => {
      const atMs = millisOf(options.asOf);
      await withContext(async (context) => {
        const store = await context.eventStore();
        const decider = await context.decider();
        const rows: Row[] = [];
        // Account by account from its newest snapshot at or before the instant: the cost is
        // the accounts' tails after their snapshots, not the whole history.
        for await (const streams of store.listStreams(ACCOUNT_CATEGORY, ACCOUNTS_PER_READ)) {
          const ledgers = await ledgersAsOf(
            store,
            decider,
            streams.map(accountOfStream),
            atMs,
            context.snapshotTrouble,
          );
          for (const [accountId, ledger] of ledgers)
            if (hadEventsBy(ledger, atMs))
              rows.push({
                accountId,
                ...balanceOf(stateOfLedgerAt(decider, ledger, atMs), atMs),
              });
        }
        rows.sort((a, b) => (String(a.accountId) < String(b.accountId) ? -1 : 1));
        console.log(render(rows, ['accountId', 'available', 'held'], options.format));
      });
    });
}
