import type { Command } from 'commander';
import { creditsMoved, millisOf, type CreditEvent } from '@credits/domain';
import { ledgersAsOf, stateOfLedgerAt } from '@credits/ledger';
import { withContext } from '../context';
import { UsageError } from '../exit-codes';
import { balanceOf } from '../ledger/balance-at';
import { render, type Format, type Row } from '../output';
import { formatOption, instantArgument } from './options';

const COLUMNS = [
  'time',
  'type',
  'credits',
  'available',
  'held',
  'priceVersion',
  'generationId',
  'sourceEventId',
  'publishedBy',
  'kafka',
];

function priceVersionOf(event: CreditEvent): string | null {
  return 'priceVersion' in event ? event.priceVersion : null;
}

export function statementCommand(program: Command): void {
  program
    .command('statement')
    .description(
      'an account between two instants: opening balance, every ledger line, closing balance',
    )
    .requiredOption('--account <id>', 'the account')
    .requiredOption('--from <instant>', 'start, inclusive (RFC 3339)', instantArgument)
    .requiredOption('--to <instant>', 'end, exclusive (RFC 3339)', instantArgument)
    .addOption(formatOption())
    .action(async (options: { account: string; from: string; to: string; format: Format }) => {
      const fromMs = millisOf(options.from);
      const toMs = millisOf(options.to);
      if (toMs <= fromMs) throw new UsageError('--to must be after --from');
      await withContext(async (context) => {
        const { decider } = context;
        // From the newest snapshot before the window: every line of the window is after it.
        const ledger = (
          await ledgersAsOf(
            await context.eventStore(),
            decider,
            [options.account],
            fromMs - 1,
            context.snapshotTrouble,
          )
        ).get(options.account);
        if (!ledger || (ledger.start === null && ledger.tail.length === 0))
          throw new UsageError(`account ${options.account} has no events`);
        // Everything before the window, and what fell due before it, is the opening state.
        let state = stateOfLedgerAt(decider, ledger, fromMs - 1);
        const opening = balanceOf(state, fromMs);
        const lines: Row[] = [];
        for (const { recorded, event } of ledger.tail) {
          const atMs = millisOf(event.at);
          if (atMs < fromMs || atMs >= toMs) continue;
          state = decider.evolve(state, event);
          const kafka = event.source?.kafka;
          lines.push({
            time: event.at,
            type: event.type,
            credits: creditsMoved(event),
            ...balanceOf(state, atMs),
            priceVersion: priceVersionOf(event),
            generationId: 'generationId' in event ? (event.generationId ?? null) : null,
            sourceEventId: event.source?.id ?? null,
            publishedBy: event.source?.publishedBy ?? null,
            kafka: kafka ? `${kafka.topic}/${kafka.partition}@${kafka.offset}` : null,
            revision: Number(recorded.revision),
          });
        }
        const closing = balanceOf(stateOfLedgerAt(decider, ledger, toMs - 1), toMs);
        if (options.format === 'json') {
          console.log(
            JSON.stringify(
              {
                account: options.account,
                from: options.from,
                to: options.to,
                opening,
                lines,
                closing,
              },
              null,
              2,
            ),
          );
          return;
        }
        if (options.format === 'table')
          console.log(
            `statement of ${options.account} from ${options.from} to ${options.to}\nopening: ${opening.available} available, ${opening.held} held`,
          );
        console.log(render(lines, COLUMNS, options.format));
        if (options.format === 'table')
          console.log(`closing: ${closing.available} available, ${closing.held} held`);
      });
    });
}
