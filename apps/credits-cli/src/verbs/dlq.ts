import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { Kafka } from 'kafkajs';
import { DeadLetterHeaders } from '@credits/contract';
import { topicNames } from '@credits/kafka';
import {
  distinctDeadLetters,
  isReplayTarget,
  readDeadLetters,
  REPLAY_TARGETS,
  replayDeadLetters,
  summaryOf,
  type DeadLetter,
} from '@credits/operations';
import { withContext } from '../context';
import { UsageError } from '../exit-codes';
import { render, type Format, type Row } from '../output';
import { formatOption } from './options';

/** Every message on the dead-letter topic, read to its end without joining any real group. */
function readAllDeadLetters(kafka: Kafka, prefix: string): Promise<DeadLetter[]> {
  const topic = topicNames(prefix).editorEventsDeadLetters;
  // Under the deployment's prefix, where the ops principal's ACLs allow groups.
  return readDeadLetters(kafka, topic, `${prefix}credits-cli-dlq-${randomUUID()}`, 'every');
}

const summaryRow = (letter: DeadLetter & { copies?: number }): Row => ({ ...summaryOf(letter) });

function chosen(
  letters: DeadLetter[],
  at: string[] | undefined,
  reason: string | undefined,
): DeadLetter[] {
  if (!at && !reason)
    throw new UsageError('say which dead letters: --at PARTITION:OFFSET[,...] or --reason REASON');
  return letters.filter(
    (letter) =>
      (!at || at.includes(letter.at)) &&
      (!reason || letter.headers[DeadLetterHeaders.reason] === reason),
  );
}

export function dlqCommand(program: Command): void {
  const dlq = program
    .command('dlq')
    .description(
      'dead letters of editor-events and billing-events: inspect them, replay chosen ones',
    );
  const list = (value: string) => value.split(',').map((item) => item.trim());

  dlq
    .command('list')
    .description(
      'every rejected message once, with its reason, where it came from and how many copies of its dead letter there are',
    )
    .addOption(formatOption())
    .action(({ format }: { format: Format }) =>
      withContext(async (context) => {
        const letters = await readAllDeadLetters(
          await context.broker(),
          context.config.kafka.topicPrefix,
        );
        console.log(
          render(
            distinctDeadLetters(letters).map(summaryRow),
            ['at', 'reason', 'from', 'key', 'copies', 'details'],
            format,
          ),
        );
      }),
    );

  dlq
    .command('show')
    .description('one dead letter in full: headers, key and value')
    .requiredOption('--at <partition:offset>', 'its place on the dead-letter topic')
    .action(({ at }: { at: string }) =>
      withContext(async (context) => {
        const letters = await readAllDeadLetters(
          await context.broker(),
          context.config.kafka.topicPrefix,
        );
        const letter = letters.find((candidate) => candidate.at === at);
        if (!letter) throw new UsageError(`no dead letter at ${at}`);
        console.log(
          JSON.stringify(
            {
              ...summaryOf(letter),
              headers: letter.headers,
              value: letter.value?.toString() ?? null,
            },
            null,
            2,
          ),
        );
      }),
    );

  dlq
    .command('replay')
    .description(
      'put chosen dead letters back on the topic they came from, or on --to, unchanged (same ids: nothing is charged twice)',
    )
    .option('--at <partition:offset,...>', 'the dead letters to replay', list)
    .option('--reason <reason>', 'replay every dead letter with this reason')
    .option(
      '--to <topic>',
      `the input topic to put them on (${Object.keys(REPLAY_TARGETS).join(' or ')}), for letters that were sent to the wrong one (wrong_topic)`,
    )
    .action((options: { at?: string[]; reason?: string; to?: string }) =>
      withContext(async (context) => {
        const topics = topicNames(context.config.kafka.topicPrefix);
        if (options.to !== undefined && !isReplayTarget(options.to))
          throw new UsageError(
            `--to must be ${Object.keys(REPLAY_TARGETS).join(' or ')} (without the deployment's prefix), not ${JSON.stringify(options.to)}`,
          );
        const kafka = await context.broker();
        const letters = chosen(
          distinctDeadLetters(await readAllDeadLetters(kafka, context.config.kafka.topicPrefix)),
          options.at,
          options.reason,
        );
        if (letters.length === 0) throw new UsageError('no dead letter matches');
        const replayed = await replayDeadLetters(kafka, topics, letters, options.to);
        for (const [topic, ats] of replayed)
          console.log(`replayed ${ats.length} dead letter(s) onto ${topic}: ${ats.join(', ')}`);
      }),
    );
}
