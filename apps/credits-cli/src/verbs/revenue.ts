import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  REVENUE_ACCOUNTS_PER_PAGE,
  REVENUE_BUCKETS,
  REVENUE_REPORT_COLUMNS,
  revenuePeriodProblem,
  revenueReport,
  type RevenueBucket,
} from '@credits/read-models';
import { withContext } from '../context';
import { ExitCode, UsageError } from '../exit-codes';
import { render, type Format, type Row } from '../output';
import { formatOption, instantArgument } from './options';

/** A UTC day (YYYY-MM-DD) as its midnight, or an RFC 3339 instant as it is. */
function dayArgument(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : instantArgument(value);
}

function limitArgument(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > REVENUE_ACCOUNTS_PER_PAGE.max)
    throw new InvalidArgumentError(`a whole number from 1 to ${REVENUE_ACCOUNTS_PER_PAGE.max}`);
  return limit;
}

export function revenueCommand(program: Command): void {
  program
    .command('revenue')
    .description(
      'revenue recognition over whole UTC days, per currency: opening deferred + sold − recognised − breakage + refunded − voided = closing deferred; exits 3 if the read model disagrees with itself',
    )
    .requiredOption('--from <day>', 'first UTC day (YYYY-MM-DD, or a UTC midnight)', dayArgument)
    .requiredOption('--to <day>', 'the UTC day after the last (exclusive)', dayArgument)
    .option('--account <id>', 'one account only')
    .addOption(
      new Option('--by <bucket>', 'one row per day, month or account')
        .choices([...REVENUE_BUCKETS])
        .default('day'),
    )
    .option(
      '--limit <n>',
      `by account: accounts per page (default ${REVENUE_ACCOUNTS_PER_PAGE.default})`,
      limitArgument,
    )
    .option('--after <account>', 'by account: the page after this account')
    .addOption(formatOption())
    .action(
      async (options: {
        from: string;
        to: string;
        account?: string;
        by: RevenueBucket;
        limit?: number;
        after?: string;
        format: Format;
      }) => {
        const problem = revenuePeriodProblem(options.from, options.to);
        if (problem) throw new UsageError(problem);
        await withContext(async (context) => {
          const report = await revenueReport(context.database, {
            from: options.from,
            to: options.to,
            by: options.by,
            ...(options.account === undefined ? {} : { accountId: options.account }),
            ...(options.after === undefined ? {} : { after: options.after }),
            ...(options.limit === undefined ? {} : { limit: options.limit }),
          });
          if (options.format === 'json') console.log(JSON.stringify(report, null, 2));
          else {
            const rows = [...report.rows, ...report.totals] as unknown as Row[];
            console.log(render(rows, REVENUE_REPORT_COLUMNS, options.format));
            if (report.next !== null && options.format === 'table')
              console.log(`more accounts: --after ${report.next}`);
          }
          for (const discrepancy of report.discrepancies) console.error(discrepancy);
          if (report.discrepancies.length > 0) process.exitCode = ExitCode.differences;
        });
      },
    );
}
