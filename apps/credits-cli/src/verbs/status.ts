import type { Command } from 'commander';
import type { Admin } from 'kafkajs';
import {
  inputTopicNames,
  partitionOwners,
  projectorGroupId,
  readGroupOffsets,
  topicNames,
} from '@credits/kafka';
import { withContext, type CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { render, type Format, type Row } from '../output';
import { formatOption } from './options';
import { readModelStandings } from './projections';

/** A commit's metadata as the projector writes it (when), or null for anything else. */
function committedAt(metadata: string | null): Date | null {
  const ms = metadata === null ? Number.NaN : Date.parse(metadata);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** Lag, and no progress (a projector commit, a read-model save) for longer than `stallAfterMs`. */
function isStalled(behind: number, lastProgress: Date | null, now: number, stallAfterMs: number) {
  return behind > 0 && (lastProgress === null || now - lastProgress.getTime() > stallAfterMs);
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

/**
 * Something that looks stalled is looked at again after this long, and called stalled only if it
 * has not moved meanwhile: a partition idle for an hour that has just been given a message looks
 * stalled for the moment before the projector commits it.
 */
const RECHECK_MS = 2_000;

interface Sample {
  readonly partitions: Row[];
  readonly readModels: Row[];
  /** Why the read models could not be looked at (the store did not answer), if so. */
  readonly readModelsUnknown: string | null;
}

const looksStalled = (sample: Sample) =>
  [...sample.partitions, ...sample.readModels].some((row) => row.stalled === true);

/** One row per partition of an input topic: where the group stands, who owns it, whether it stalls. */
async function topicRows(
  admin: Admin,
  groupId: string,
  topic: string,
  stallAfterMs: number,
): Promise<Row[]> {
  const [offsets, owners] = await Promise.all([
    readGroupOffsets(admin, groupId, topic),
    partitionOwners(admin, groupId, topic),
  ]);
  const now = Date.now();
  return offsets.map((partition) => {
    const lastProgress = committedAt(partition.metadata);
    const owner = owners.get(partition.partition) ?? null;
    return {
      topic,
      partition: partition.partition,
      owner,
      committed: partition.committed?.toString() ?? null,
      end: partition.end.toString(),
      lag: partition.lag,
      lastProgress: iso(lastProgress),
      stalled:
        (owner === null && partition.lag > 0) ||
        isStalled(partition.lag, lastProgress, now, stallAfterMs),
    };
  });
}

async function sample(context: CliContext): Promise<Sample> {
  const { kafka: settings, projector } = context.config;
  const groupId = projectorGroupId(settings.topicPrefix);
  const admin = (await context.broker()).admin();
  await admin.connect();
  const partitions: Row[] = [];
  try {
    for (const topic of inputTopicNames(topicNames(settings.topicPrefix)))
      partitions.push(...(await topicRows(admin, groupId, topic, projector.stallAfterMs)));
  } finally {
    await admin.disconnect();
  }
  const now = Date.now();
  let standings: Awaited<ReturnType<typeof readModelStandings>>;
  try {
    standings = await readModelStandings(context);
  } catch (error) {
    // The partitions still say what they can: a store that fails is often why they stall.
    return { partitions, readModels: [], readModelsUnknown: (error as Error).message };
  }
  const readModels: Row[] = standings.map((standing) => ({
    readModel: standing.readModel,
    version: standing.version,
    state: standing.state,
    checkpoint: standing.checkpoint,
    eventsBehind: standing.eventsBehind,
    lastProgress: iso(standing.savedAt),
    stalled: isStalled(standing.eventsBehind, standing.savedAt, now, projector.stallAfterMs),
  }));
  return { partitions, readModels, readModelsUnknown: null };
}

/** Stalled in both samples, and not moved between them. */
function confirmed(first: Sample, second: Sample): Sample {
  const stillStalled = (
    rows: Row[],
    earlier: Row[],
    keyOf: (row: Row) => string,
    progress: string,
  ) =>
    rows.map((row) => {
      const before = earlier.find((candidate) => keyOf(candidate) === keyOf(row));
      const moved = before !== undefined && before[progress] !== row[progress];
      return { ...row, stalled: row.stalled === true && before?.stalled === true && !moved };
    });
  return {
    readModelsUnknown: second.readModelsUnknown,
    partitions: stillStalled(
      second.partitions,
      first.partitions,
      (row) => `${String(row.topic)}/${String(row.partition)}`,
      'committed',
    ),
    readModels: stillStalled(
      second.readModels,
      first.readModels,
      (row) => `${row.readModel}@${row.version}`,
      'checkpoint',
    ),
  };
}

async function status(format: Format): Promise<void> {
  await withContext(async (context) => {
    const { kafka: settings, projector } = context.config;
    let found = await sample(context);
    if (looksStalled(found)) {
      await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
      found = confirmed(found, await sample(context));
    }
    const { partitions, readModels, readModelsUnknown } = found;
    const stalled = looksStalled(found);
    if (format === 'json') {
      console.log(JSON.stringify({ stalled, partitions, readModels, readModelsUnknown }, null, 2));
    } else {
      const partitionColumns = [
        'topic',
        'partition',
        'owner',
        'committed',
        'end',
        'lag',
        'lastProgress',
        'stalled',
      ];
      const modelColumns = [
        'readModel',
        'version',
        'state',
        'eventsBehind',
        'lastProgress',
        'stalled',
      ];
      if (format === 'table')
        console.log(`input topics in consumer group ${projectorGroupId(settings.topicPrefix)}:`);
      console.log(render(partitions, partitionColumns, format));
      console.log(format === 'table' ? '\nread models:' : '');
      console.log(
        readModelsUnknown === null
          ? render(readModels, modelColumns, format)
          : `could not be read: ${readModelsUnknown}`,
      );
      if (format === 'table')
        console.log(
          stalled
            ? `\nSTALLED: lag with no progress for over ${projector.stallAfterMs} ms (PROJECTOR_STALL_AFTER_MS), or a partition nobody owns`
            : readModelsUnknown === null
              ? '\nnothing stalled'
              : '\nno partition stalled; the read models could not be read (exit code 1)',
        );
    }
    if (stalled) process.exitCode = ExitCode.stalled;
    else if (readModelsUnknown !== null) process.exitCode = ExitCode.failed;
  });
}

export function statusCommand(program: Command): void {
  program
    .command('status')
    .description(
      "per editor-events partition: its owner, committed and end offsets, lag and last progress; each read model's lag; exits 3 when anything is stalled",
    )
    .addOption(formatOption())
    .action(({ format }: { format: Format }) => status(format));
}
