import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  eventsBy,
  accountDecider,
  fold,
  initialAccountState,
  type AccountState,
  type CreditRules,
  type CreditEvent,
  type PriceBook,
  type PriceBookVersion,
} from '@credits/domain';
import { millisOf, strictInstantMillis } from '@credits/domain/instants';
import { tallyRevenue } from '@credits/domain/value';
import { parseCatalogVersion } from '@credits/contract';
import { withContext } from '../context';
import { UsageError } from '../exit-codes';
import { commandsOf } from '../ledger/commands-of';
import { allLedgers } from '../ledger/history';
import { render, type Format, type Row } from '../output';
import { formatOption, instantArgument } from './options';

/**
 * A price book in the catalog's file format (`credits catalog publish` reads the same): one
 * version, or `{versions: [...]}`. A version without `effectiveFrom` is in force throughout.
 */
function readPriceBook(file: string): PriceBook {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read the price book ${file}: ${(error as Error).message}`);
  }
  const given = (
    Array.isArray((parsed as PriceBook)?.versions) ? (parsed as PriceBook).versions : [parsed]
  ) as Partial<PriceBookVersion>[];
  const versions = given.map((version, index) => {
    const effectiveFrom = version?.effectiveFrom ?? EPOCH;
    if (strictInstantMillis(effectiveFrom) === undefined)
      throw new UsageError(
        `${file}: version ${index + 1}: effectiveFrom must be an RFC 3339 instant`,
      );
    const result = parseCatalogVersion(version, effectiveFrom);
    if ('problems' in result)
      throw new UsageError(`${file}: version ${index + 1}: ${result.problems.join('; ')}`);
    return result.version;
  });
  return { versions };
}

const EPOCH = '1970-01-01T00:00:00.000Z';

type Decision = 'approved' | 'refused';

function decisionsIn(events: readonly CreditEvent[]): Map<string, Decision> {
  const decisions = new Map<string, Decision>();
  for (const event of events)
    if (event.type === 'GenerationCharged') decisions.set(event.generationId, 'approved');
    else if (event.type === 'GenerationRefused') decisions.set(event.generationId, 'refused');
  return decisions;
}

/** Replays one account's commands of the window from its actual state at the window's start. */
function replay(
  rules: CreditRules,
  start: AccountState,
  ledger: readonly CreditEvent[],
  fromMs: number,
  toMs: number,
) {
  const decider = accountDecider(rules);
  let state = start;
  const events: CreditEvent[] = [];
  for (const command of commandsOf(ledger)) {
    const atMs = millisOf(command.at);
    if (atMs < fromMs || atMs >= toMs) continue;
    const decided = decider.decideAndEvolve(command, state);
    state = decided.state;
    events.push(...decided.events);
  }
  return {
    charged: state.totals.charged - start.totals.charged,
    decisions: decisionsIn(events),
    recognised: recognisedIn(events),
  };
}

/** Revenue recognised by these events, per currency (minor units). */
function recognisedIn(events: readonly CreditEvent[]): Map<string, number> {
  const tallies = tallyRevenue(
    events,
    (event) => event,
    (_, currency) => currency,
  );
  return new Map([...tallies].map(([currency, { sums }]) => [currency, sums.recognised]));
}

/** Per currency: revenue recognised actually and under the other price book. */
class RevenueComparison {
  readonly #rows = new Map<string, { actual: number; hypothetical: number }>();

  add(actual: ReadonlyMap<string, number>, hypothetical: ReadonlyMap<string, number>): void {
    for (const [currency, amount] of actual) this.#row(currency).actual += amount;
    for (const [currency, amount] of hypothetical) this.#row(currency).hypothetical += amount;
  }

  rows(): Row[] {
    return [...this.#rows]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([currency, { actual, hypothetical }]) => ({
        currency,
        actualRecognised: actual,
        hypotheticalRecognised: hypothetical,
        difference: hypothetical - actual,
      }));
  }

  #row(currency: string) {
    const row = this.#rows.get(currency) ?? { actual: 0, hypothetical: 0 };
    this.#rows.set(currency, row);
    return row;
  }
}

export function whatIfCommand(program: Command): void {
  program
    .command('what-if')
    .description(
      'replay a period under another price book: credits charged and revenue recognised (per currency), actual vs hypothetical, and decisions that would differ',
    )
    .requiredOption(
      '--price-book <file>',
      'JSON: a catalog version as `credits catalog publish` reads it, or {versions: [...]}',
    )
    .requiredOption('--from <instant>', 'start, inclusive (RFC 3339)', instantArgument)
    .requiredOption('--to <instant>', 'end, exclusive (RFC 3339)', instantArgument)
    .addOption(formatOption())
    .action(async (options: { priceBook: string; from: string; to: string; format: Format }) => {
      const priceBook = readPriceBook(options.priceBook);
      const [fromMs, toMs] = [millisOf(options.from), millisOf(options.to)];
      if (toMs <= fromMs) throw new UsageError('--to must be after --from');
      await withContext(async (context) => {
        // "Actual" replays with the rules this deployment runs (its hold timeout and catalog).
        const rules = await context.rules();
        const hypothetical = { ...rules, priceBook };
        const ledgers = await allLedgers(await context.eventStore());
        const accounts: Row[] = [];
        const differing: Row[] = [];
        const revenue = new RevenueComparison();
        for (const [accountId, entries] of [...ledgers].sort(([a], [b]) => (a < b ? -1 : 1))) {
          const ledger = entries.map(({ event }) => event);
          const start = fold(eventsBy(ledger, fromMs - 1), initialAccountState);
          const actual = replay(rules, start, ledger, fromMs, toMs);
          const other = replay(hypothetical, start, ledger, fromMs, toMs);
          revenue.add(actual.recognised, other.recognised);
          if (actual.decisions.size === 0 && actual.charged === 0 && other.charged === 0) continue;
          accounts.push({
            accountId,
            actualCharged: actual.charged,
            hypotheticalCharged: other.charged,
            difference: other.charged - actual.charged,
          });
          for (const [generationId, decision] of actual.decisions) {
            const otherwise = other.decisions.get(generationId);
            if (otherwise && otherwise !== decision)
              differing.push({
                accountId,
                generationId,
                actual: decision,
                hypothetical: otherwise,
              });
          }
        }
        const sum = (column: string) =>
          accounts.reduce((total, row) => total + Number(row[column]), 0);
        const total = {
          actualCharged: sum('actualCharged'),
          hypotheticalCharged: sum('hypotheticalCharged'),
          difference: sum('difference'),
        };
        if (options.format === 'json') {
          console.log(
            JSON.stringify(
              {
                from: options.from,
                to: options.to,
                accounts,
                total,
                revenue: revenue.rows(),
                differentDecisions: differing,
              },
              null,
              2,
            ),
          );
          return;
        }
        console.log(
          render(
            [...accounts, { accountId: 'TOTAL', ...total }],
            ['accountId', 'actualCharged', 'hypotheticalCharged', 'difference'],
            options.format,
          ),
        );
        if (options.format === 'table')
          console.log(
            `revenue recognised (minor units):\n${render(revenue.rows(), ['currency', 'actualRecognised', 'hypotheticalRecognised', 'difference'], 'table')}`,
          );
        if (options.format === 'table')
          console.log(
            differing.length === 0
              ? 'no generation would have been decided differently'
              : `generations decided differently:\n${render(differing, ['accountId', 'generationId', 'actual', 'hypothetical'], 'table')}`,
          );
      });
    });
}
