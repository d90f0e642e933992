import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { Pool } from 'pg';
import { PostgresCheckpoints } from '@credits/event-store';
import {
  checkpointName,
  ledgerEventsAfter,
  readModelStandings,
  READ_MODELS,
  ReadModelProjector,
  ReadModelRegistry,
  type ReadModel,
} from '@credits/read-models';
import { withContext } from '../context';
import { UsageError } from '../exit-codes';
import { render, type Format, type Row } from '../output';
import { formatOption } from './options';

function modelNamed(name: string): ReadModel {
  const model = READ_MODELS.find((candidate) => candidate.name === name);
  if (!model)
    throw new UsageError(
      `no read model ${name}: there are ${READ_MODELS.map((m) => m.name).join(', ')}`,
    );
  return model;
}

async function switchTo(
  pool: Pool,
  model: ReadModel,
  version: number,
  retired: number,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(model.viewSql(version));
    await client.query(
      'UPDATE rm_projections SET active_version = $2, building_version = NULL, switched_at = now() WHERE name = $1',
      [model.name, version],
    );
    for (const table of model.tablesOf(retired))
      await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function rebuild(name: string, pageSize: number): Promise<void> {
  const model = modelNamed(name);
  await withContext(async (context) => {
    const pool = context.database;
    const store = await context.eventStore();
    const { active, building } = await new ReadModelRegistry(pool).ensure(model);
    // A rebuild that was killed carries on into the version it was filling.
    const version = building ?? active + 1;
    await pool.query(model.createSql(version));
    await pool.query('UPDATE rm_projections SET building_version = $2 WHERE name = $1', [
      model.name,
      version,
    ]);
    const stored = await new PostgresCheckpoints(pool).load(checkpointName(model, version));
    const total = await ledgerEventsAfter(store, stored?.position ?? 'start');
    console.log(
      `${building ? 'resuming' : 'rebuilding'} ${model.name} into version ${version} while version ${active} serves: ${total.toLocaleString('en')} events to go`,
    );
    const bar = new SingleBar(
      {
        format:
          '{bar} {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_formatted}',
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    const started = Date.now();
    let done = 0;
    bar.start(Math.max(total, 1), 0, { rate: 0 });
    const projector = new ReadModelProjector(store, pool, [{ model, version }], {
      cachedAccounts: context.config.rebuild.cachedAccounts,
      pageSize,
      onPage: (events) => {
        done += events;
        bar.setTotal(Math.max(total, done));
        bar.update(done, {
          rate: Math.round(done / Math.max((Date.now() - started) / 1000, 0.001)),
        });
      },
    });
    projector.start();
    await projector.caughtUpOnce();
    await projector.stop();
    bar.stop();
    await switchTo(pool, model, version, active);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `switched ${model.name} to version ${version} (${done.toLocaleString('en')} events in ${seconds.toFixed(1)} s, ${Math.round(done / Math.max(seconds, 0.001)).toLocaleString('en')} events/s); version ${active} dropped`,
    );
  });
}

async function status(format: Format): Promise<void> {
  await withContext(async (context) => {
    const rows: Row[] = (
      await readModelStandings(await context.eventStore(), context.database)
    ).map(({ readModel, version, state, checkpoint, eventsBehind }) => ({
      readModel,
      version,
      state,
      checkpoint,
      eventsBehind,
    }));
    console.log(
      render(rows, ['readModel', 'version', 'state', 'checkpoint', 'eventsBehind'], format),
    );
  });
}

export function projectionsCommand(program: Command): void {
  const projections = program
    .command('projections')
    .description('the read models: their checkpoints, lag and rebuilds');
  projections
    .command('status')
    .description("each read model's version, checkpoint and how many ledger events it is behind")
    .addOption(formatOption())
    .action(({ format }: { format: Format }) => status(format));
  projections
    .command('rebuild')
    .description(
      'rebuild a read model from the start of the history into a new version, then switch to it atomically; resumable',
    )
    .argument('<name>', `one of ${READ_MODELS.map((model) => model.name).join(', ')}`)
    .option(
      '--page-size <events>',
      'events per transaction',
      (value) => Number.parseInt(value, 10),
      1_000,
    )
    .action((name: string, { pageSize }: { pageSize: number }) => rebuild(name, pageSize));
}
