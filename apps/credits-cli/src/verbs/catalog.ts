import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseCatalogVersion } from '@credits/contract';
import { millisOf } from '@credits/domain/instants';
import { versionAt } from '@credits/domain/terms';
import { type PriceBookVersion } from '@credits/domain';
import { WrongExpectedRevisionError } from '@credits/event-store';
import {
  appendCatalogVersion,
  FROM_THE_START,
  fromTheStartProblem,
  publishProblem,
  readCatalog,
} from '@credits/ledger';
import type { Pool } from 'pg';
import { withContext, type CliContext } from '../context';
import { UsageError } from '../exit-codes';
import { render, type Format } from '../output';
import { formatOption, instantArgument } from './options';

/**
 * The time of the newest event decided, as the ledger lines read model has it (null: none yet).
 * It is moments behind the ledger; the lead time a version must keep covers that.
 */
async function newestDecidedMs(pool: Pool): Promise<number | null> {
  const { rows } = await pool.query<{ newest: Date | null }>(
    `SELECT CASE WHEN to_regclass('rm_ledger_lines') IS NULL THEN NULL
                 ELSE (SELECT max(time) FROM rm_ledger_lines) END AS newest`,
  );
  return rows[0]?.newest?.getTime() ?? null;
}

function readCatalogFile(file: string, effectiveFrom: string): PriceBookVersion {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read the catalog ${file}: ${(error as Error).message}`);
  }
  const result = parseCatalogVersion(parsed, effectiveFrom);
  if ('problems' in result) throw new UsageError(`${file}: ${result.problems.join('; ')}`);
  return result.version;
}

/**
 * Publishes a catalog version: in force from `effectiveFrom`, or from the start (the first
 * version of a deployment where nothing has been decided yet).
 */
export async function publishCatalog(
  context: CliContext,
  version: PriceBookVersion,
): Promise<void> {
  const store = await context.eventStore();
  const published = await readCatalog(store);
  const problem =
    version.effectiveFrom === FROM_THE_START
      ? await fromTheStartProblem(store, published.versions)
      : publishProblem(version, published.versions, {
          nowMs: Date.now(),
          leadTimeMs: context.config.credits.catalogLeadTimeMs,
          newestDecidedMs: await newestDecidedMs(context.database),
        });
  if (problem) throw new UsageError(problem);
  try {
    await appendCatalogVersion(store, version, published.expectedRevision);
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError)
      throw new UsageError('another catalog version was published meanwhile: check and try again');
    throw error;
  }
}

async function publish(
  context: CliContext,
  file: string,
  options: { effectiveFrom?: string; fromTheStart?: boolean },
): Promise<void> {
  if ((options.effectiveFrom === undefined) === !options.fromTheStart)
    throw new UsageError('give either --effective-from or --from-the-start');
  const version = readCatalogFile(file, options.effectiveFrom ?? FROM_THE_START);
  await publishCatalog(context, version);
  console.log(
    `published catalog version ${version.version}, in force from ${version.effectiveFrom}; the projectors load it within CATALOG_REFRESH_MS (${context.config.credits.catalogRefreshMs} ms)`,
  );
}

async function show(context: CliContext, at: string, format: Format): Promise<void> {
  const rules = await context.rules();
  const version = versionAt(rules.priceBook, millisOf(at));
  if (format === 'json') {
    console.log(JSON.stringify(version, null, 2));
    return;
  }
  console.log(
    `catalog version ${version.version}, in force from ${version.effectiveFrom} (at ${at})`,
  );
  console.log(
    render(
      Object.entries(version.aiEdit).map(([resolution, price]) => ({ resolution, ...price })),
      ['resolution', 'generate', 'accept'],
      format,
    ),
  );
  console.log(`free edit types: ${version.freeEditTypes.join(', ')}`);
  const plans = Object.entries(version.plans ?? {}).map(([plan, terms]) => ({
    plan,
    allowanceCredits: terms.allowanceCredits,
    reservation: terms.reservation ?? 'default',
    balanceThresholdCredits: terms.balanceThresholdCredits ?? null,
    rolloverFraction: terms.rollover?.fraction ?? null,
    rolloverCapCredits: terms.rollover?.capCredits ?? null,
    rolloverPeriods: terms.rollover ? (terms.rollover.periods ?? 1) : null,
  }));
  if (plans.length > 0)
    console.log(
      render(
        plans,
        [
          'plan',
          'allowanceCredits',
          'reservation',
          'balanceThresholdCredits',
          'rolloverFraction',
          'rolloverCapCredits',
          'rolloverPeriods',
        ],
        format,
      ),
    );
  else console.log('no plans: every plan takes the defaults (no rollover, no threshold)');
}

export function catalogCommand(program: Command): void {
  const catalog = program
    .command('catalog')
    .description(
      'the catalog (prices and plans) as data, in versions that apply from a future instant',
    );
  catalog
    .command('publish')
    .description(
      'publish a catalog version from FILE (the format what-if --price-book reads), in force from --effective-from: at least CATALOG_LEAD_TIME_MS ahead and after every event already decided (or --from-the-start, for the first version before any event)',
    )
    .argument('<file>', 'JSON: version, aiEdit.{1K,2K,4K}.{generate,accept}, freeEditTypes, plans')
    .option('--effective-from <instant>', 'when it applies (RFC 3339)', instantArgument)
    .option(
      '--from-the-start',
      "a deployment's first catalog, in force for every event: only before anything is decided",
    )
    .action(async (file: string, options: { effectiveFrom?: string; fromTheStart?: boolean }) =>
      withContext((context) => publish(context, file, options)),
    );
  catalog
    .command('show')
    .description('the catalog version in force at an instant (now by default)')
    .option('--at <instant>', 'the instant (RFC 3339)', instantArgument)
    .addOption(formatOption())
    .action(async (options: { at?: string; format: Format }) =>
      withContext((context) =>
        show(context, options.at ?? new Date().toISOString(), options.format),
      ),
    );
}
