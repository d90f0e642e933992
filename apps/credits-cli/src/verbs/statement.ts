import type { Command } from 'commander';
import { creditsMoved, REVENUE_COLUMNS, revenueOf } from '@credits/domain/value';
import { instantOf, millisOf } from '@credits/domain/instants';
import { memberOfEvent } from '@credits/domain/terms';
import { memberUsedAt, periodStartAt } from '@credits/domain/terms';
import { type AccountState, type CreditEvent } from '@credits/domain';
import { ledgersAsOf, stateOfLedgerAt, type LedgerAsOf } from '@credits/ledger';
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
  ...REVENUE_COLUMNS,
  'deferred',
  'priceVersion',
  'generationId',
  'sourceEventId',
  'publishedBy',
  'kafka',
];

function priceVersionOf(event: CreditEvent): string | null {
  return 'priceVersion' in event ? event.priceVersion : null;
}

/** What the grants of a currency are still worth: the account's deferred revenue in it. */
function deferredIn(state: AccountState, currency: string | null): number {
  let deferred = 0;
  for (const grant of state.grants)
    if (grant.price?.currency === currency) deferred += grant.deferred;
  return deferred;
}

/**
 * The one currency a statement's values are in: the one asked for, else the only one the
 * account's window (and its grants at the start) deals in; null when it holds free credits only.
 */
function currencyOf(
  ledger: LedgerAsOf,
  opening: AccountState,
  fromMs: number,
  toMs: number,
  asked: string | undefined,
): string | null {
  if (asked !== undefined) return asked;
  const seen = new Set<string>();
  for (const grant of opening.grants) if (grant.price) seen.add(grant.price.currency);
  for (const { event } of ledger.tail) {
    const atMs = millisOf(event.at);
    if (atMs >= fromMs && atMs < toMs) for (const move of revenueOf(event)) seen.add(move.currency);
  }
  if (seen.size > 1)
    throw new UsageError(
      `the account deals in ${[...seen].sort().join(' and ')}: pass --currency for the statement's values`,
    );
  return seen.values().next().value ?? null;
}

/** An agent's cap and use in the period holding `atMs` (the statement's last instant). */
function memberAt(state: AccountState, memberId: string, atMs: number) {
  return {
    memberId,
    cap: state.terms.members.get(memberId)?.cap ?? null,
    periodStart: instantOf(periodStartAt(state.terms.period, atMs)),
    usedThisPeriod: memberUsedAt(state.terms, memberId, atMs),
  };
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
    .option('--currency <code>', 'the currency of the value columns (ISO 4217)')
    .option(
      '--member <id>',
      "a pooled account's agent: only the lines of their generations, with their cap and use",
    )
    .addOption(formatOption())
    .action(
      async (options: {
        account: string;
        from: string;
        to: string;
        currency?: string;
        member?: string;
        format: Format;
      }) => {
        const fromMs = millisOf(options.from);
        const toMs = millisOf(options.to);
        if (toMs <= fromMs) throw new UsageError('--to must be after --from');
        await withContext(async (context) => {
          const decider = await context.decider();
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
          const currency = currencyOf(ledger, state, fromMs, toMs, options.currency);
          const opening = { ...balanceOf(state, fromMs), deferred: deferredIn(state, currency) };
          const lines: Row[] = [];
          for (const { recorded, event } of ledger.tail) {
            const atMs = millisOf(event.at);
            if (atMs < fromMs || atMs >= toMs) continue;
            const before = state;
            state = decider.evolve(state, event);
            if (options.member !== undefined && memberOfEvent(before, event) !== options.member)
              continue;
            const kafka = event.source?.kafka;
            const value = revenueOf(event).find((move) => move.currency === currency);
            lines.push({
              time: event.at,
              type: event.type,
              credits: creditsMoved(event),
              ...balanceOf(state, atMs),
              ...Object.fromEntries(
                REVENUE_COLUMNS.map((column) => [column, value?.[column] ?? 0]),
              ),
              deferred: deferredIn(state, currency),
              priceVersion: priceVersionOf(event),
              generationId: 'generationId' in event ? (event.generationId ?? null) : null,
              sourceEventId: event.source?.id ?? null,
              publishedBy: event.source?.publishedBy ?? null,
              kafka: kafka ? `${kafka.topic}/${kafka.partition}@${kafka.offset}` : null,
              revision: Number(recorded.revision),
            });
          }
          const closingState = stateOfLedgerAt(decider, ledger, toMs - 1);
          const closing = {
            ...balanceOf(closingState, toMs),
            deferred: deferredIn(closingState, currency),
          };
          const member =
            options.member === undefined ? null : memberAt(closingState, options.member, toMs - 1);
          if (options.format === 'json') {
            console.log(
              JSON.stringify(
                {
                  account: options.account,
                  from: options.from,
                  to: options.to,
                  currency,
                  ...(member ? { member } : {}),
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
              `statement of ${options.account} from ${options.from} to ${options.to}, values in ${currency ?? 'no currency (free credits only)'}\nopening: ${opening.available} available, ${opening.held} held, ${opening.deferred} deferred`,
            );
          console.log(render(lines, COLUMNS, options.format));
          if (options.format === 'table')
            console.log(
              `closing: ${closing.available} available, ${closing.held} held, ${closing.deferred} deferred` +
                (member
                  ? `\nagent ${member.memberId}: ${member.cap === null ? 'no cap' : `cap ${member.cap}`}, ${member.usedThisPeriod} used in the period from ${member.periodStart}`
                  : ''),
            );
        });
      },
    );
}
