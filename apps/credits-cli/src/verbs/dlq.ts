import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { Partitioners, type IHeaders, type Kafka } from 'kafkajs';
import { DeadLetterHeaders } from '@credits/contract';
import { PartitionByPartitionSender, topicNames, type TopicNames } from '@credits/kafka';
import { withContext } from '../context';
import { UsageError } from '../exit-codes';
import { render, type Format, type Row } from '../output';
import { formatOption } from './options';

interface DeadLetter {
  readonly at: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

const text = (value: IHeaders[string]): string =>
  Array.isArray(value) ? value.join(',') : (value?.toString() ?? '');

/** Every message on the dead-letter topic, read to its end without joining any real group. */
async function readDeadLetters(kafka: Kafka, prefix: string): Promise<DeadLetter[]> {
  const topic = topicNames(prefix).editorEventsDeadLetters;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends
      .filter((end) => BigInt(end.high) > BigInt(end.low))
      .map((end) => [end.partition, BigInt(end.high)]),
  );
  if (remaining.size === 0) return [];
  const letters: DeadLetter[] = [];
  const consumer = kafka.consumer({
    // Under the deployment's prefix, where the ops principal's ACLs allow groups.
    groupId: `${prefix}credits-cli-dlq-${randomUUID()}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        letters.push({
          at: `${partition}:${message.offset}`,
          key: message.key,
          value: message.value,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, text(value)]),
          ),
        });
        if (BigInt(message.offset) + 1n >= (remaining.get(partition) ?? 0n))
          remaining.delete(partition);
        if (remaining.size === 0) resolve();
      },
    });
  });
  await consumer.disconnect();
  return letters.sort((a, b) => (a.at < b.at ? -1 : 1));
}

const origin = (letter: DeadLetter): string =>
  `${letter.headers[DeadLetterHeaders.topic]}/${letter.headers[DeadLetterHeaders.partition]}@${letter.headers[DeadLetterHeaders.offset]}`;

/**
 * One dead letter per rejected message, the first written, with how many copies there are. The
 * projector writes a message's dead letter before committing its offset, so a crash in between
 * writes it again on redelivery: the copies share the original coordinates.
 */
function distinct(letters: readonly DeadLetter[]): (DeadLetter & { copies: number })[] {
  const first = new Map<string, DeadLetter & { copies: number }>();
  for (const letter of letters) {
    const seen = first.get(origin(letter));
    if (seen) seen.copies += 1;
    else first.set(origin(letter), { ...letter, copies: 1 });
  }
  return [...first.values()];
}

function summary(letter: DeadLetter & { copies?: number }): Row {
  return {
    at: letter.at,
    reason: letter.headers[DeadLetterHeaders.reason] ?? '',
    from: origin(letter),
    key: letter.key?.toString() ?? null,
    details: (letter.headers[DeadLetterHeaders.details] ?? '').split('\n')[0] ?? '',
    copies: letter.copies ?? 1,
  };
}

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
        const letters = await readDeadLetters(
          await context.broker(),
          context.config.kafka.topicPrefix,
        );
        console.log(
          render(
            distinct(letters).map(summary),
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
        const letters = await readDeadLetters(
          await context.broker(),
          context.config.kafka.topicPrefix,
        );
        const letter = letters.find((candidate) => candidate.at === at);
        if (!letter) throw new UsageError(`no dead letter at ${at}`);
        console.log(
          JSON.stringify(
            {
              ...summary(letter),
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
        const target = options.to === undefined ? undefined : replayTarget(options.to, topics);
        const kafka = await context.broker();
        const letters = chosen(
          distinct(await readDeadLetters(kafka, context.config.kafka.topicPrefix)),
          options.at,
          options.reason,
        );
        if (letters.length === 0) throw new UsageError('no dead letter matches');
        const byTopic = new Map<string, DeadLetter[]>();
        for (const letter of letters) {
          const topic = target ?? originalInputTopic(letter, topics);
          const group = byTopic.get(topic);
          if (group) group.push(letter);
          else byTopic.set(topic, [letter]);
        }
        const producer = kafka.producer({
          idempotent: true,
          createPartitioner: Partitioners.DefaultPartitioner,
        });
        await producer.connect();
        try {
          const sender = new PartitionByPartitionSender(producer, kafka);
          for (const [topic, group] of byTopic)
            await sender.send(
              topic,
              group.map((letter) => ({
                key: letter.key,
                value: letter.value,
                headers: {
                  ...Object.fromEntries(
                    Object.entries(letter.headers).filter(([name]) => !name.startsWith('dlq-')),
                  ),
                  'replayed-from': `${topics.editorEventsDeadLetters}/${letter.at}`,
                },
              })),
            );
        } finally {
          await producer.disconnect();
        }
        for (const [topic, group] of byTopic)
          console.log(
            `replayed ${group.length} dead letter(s) onto ${topic}: ${group.map((l) => l.at).join(', ')}`,
          );
      }),
    );
}

/** The input topics a dead letter can be put back on, by their contract names. */
const REPLAY_TARGETS = {
  'editor-events': 'editorEvents',
  'billing-events': 'billingEvents',
} as const satisfies Record<string, keyof TopicNames>;

function replayTarget(name: string, topics: TopicNames): string {
  const role = REPLAY_TARGETS[name as keyof typeof REPLAY_TARGETS];
  if (role === undefined)
    throw new UsageError(
      `--to must be ${Object.keys(REPLAY_TARGETS).join(' or ')} (without the deployment's prefix), not ${JSON.stringify(name)}`,
    );
  return topics[role];
}

/** Where a letter was read, when that is one of this deployment's input topics; else editor-events. */
function originalInputTopic(letter: DeadLetter, topics: TopicNames): string {
  const from = letter.headers[DeadLetterHeaders.topic];
  return from === topics.billingEvents ? topics.billingEvents : topics.editorEvents;
}
