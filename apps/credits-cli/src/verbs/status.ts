import type { Command } from 'commander';
import { projectorGroupId } from '@credits/kafka';
import { pipelineStatus, projectorReadiness, type PipelineStatus } from '@credits/operations';
import { readModelStandings } from '@credits/read-models';
import { withContext, type CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { render, type Format, type Row } from '../output';
import { formatOption } from './options';

/**
 * The pipeline as Kafka and the store show it, or why Kafka could not be read (a broker down or
 * out of disk): the projectors' own answers are then all there is to go on, and still shown.
 */
async function pipelineOrWhyNot(
  context: CliContext,
): Promise<PipelineStatus | { kafkaUnknown: string }> {
  const { kafka: settings, projector } = context.config;
  try {
    const admin = (await context.broker()).admin();
    await admin.connect();
    try {
      return await pipelineStatus({
        admin,
        topicPrefix: settings.topicPrefix,
        stallAfterMs: projector.stallAfterMs,
        readModelStandings: async () =>
          readModelStandings(await context.eventStore(), context.database),
      });
    } finally {
      await admin.disconnect();
    }
  } catch (error) {
    return { kafkaUnknown: (error as Error).message };
  }
}

async function status(format: Format): Promise<void> {
  await withContext(async (context) => {
    const { kafka: settings, projector } = context.config;
    // Asked beside the offsets: a stall's cause (the store out of disk space, say) is theirs to tell.
    const asking = projectorReadiness(projector.opsAddresses);
    const answer = await pipelineOrWhyNot(context);
    const kafkaUnknown = 'kafkaUnknown' in answer ? answer.kafkaUnknown : null;
    const found: PipelineStatus =
      'kafkaUnknown' in answer
        ? {
            stalled: false,
            partitions: [],
            readModels: [],
            readModelsUnknown: 'not looked at: Kafka could not be read',
          }
        : answer;
    const { stalled, readModelsUnknown } = found;
    const projectors: Row[] = (await asking).map(({ address, ready, problems }) => ({
      projector: address,
      ready: ready === null ? 'unknown' : ready,
      problems: problems.join('; ') || null,
    }));
    // Plain rows for the table renderer.
    const partitions: Row[] = found.partitions.map((row) => ({ ...row }));
    const readModels: Row[] = found.readModels.map((row) => ({ ...row }));
    if (format === 'json') {
      console.log(
        JSON.stringify(
          { stalled, partitions, readModels, readModelsUnknown, kafkaUnknown, projectors },
          null,
          2,
        ),
      );
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
      console.log(
        kafkaUnknown === null
          ? render(partitions, partitionColumns, format)
          : `could not be read: ${kafkaUnknown}`,
      );
      console.log(format === 'table' ? '\nread models:' : '');
      console.log(
        readModelsUnknown === null
          ? render(readModels, modelColumns, format)
          : `could not be read: ${readModelsUnknown}`,
      );
      console.log(format === 'table' ? '\nprojectors (PROJECTOR_OPS_ADDRESSES):' : '');
      console.log(render(projectors, ['projector', 'ready', 'problems'], format));
      if (format === 'table')
        console.log(
          stalled
            ? `\nSTALLED: lag with no progress for over ${projector.stallAfterMs} ms (PROJECTOR_STALL_AFTER_MS), or a partition nobody owns`
            : kafkaUnknown !== null
              ? '\nKafka could not be read: see the projectors for what they see (exit code 1)'
              : readModelsUnknown === null
                ? '\nnothing stalled'
                : '\nno partition stalled; the read models could not be read (exit code 1)',
        );
    }
    if (stalled) process.exitCode = ExitCode.stalled;
    else if (kafkaUnknown !== null || readModelsUnknown !== null)
      process.exitCode = ExitCode.failed;
  });
}

export function statusCommand(program: Command): void {
  program
    .command('status')
    .description(
      "per editor-events partition: its owner, committed and end offsets, lag and last progress; each read model's lag; each projector's readiness and why; exits 3 when anything is stalled",
    )
    .addOption(formatOption())
    .action(({ format }: { format: Format }) => status(format));
}
