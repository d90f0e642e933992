import type { Command } from 'commander';
import { Partitioners, type Kafka } from 'kafkajs';
import { inputTopicOf } from '@credits/contract';
import {
  inputTopicNames,
  PartitionByPartitionSender,
  projectorGroupId,
  readGroupOffsets,
  topicNames,
} from '@credits/kafka';
import { withContext } from '../context';
import { FROM_THE_START } from '@credits/ledger';
import { brokerageMonth, DEMO_CATALOG } from '../demo/brokerage';
import type { CliContext } from '../context';
import { UsageError } from '../exit-codes';
import { publishCatalog } from './catalog';
import { realisticMonth, wireEvent } from '../demo/realistic-month';
import { wavesOf } from '../demo/waves';
import { workedMonth } from '../demo/worked-month';

/** How long a wave may wait for the projector without it taking a single message. */
const STALLED_AFTER_MS = 60_000;

/** Until the projector group has taken every message of both input topics. */
async function projectorCaughtUp(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let behind = Infinity;
    let since = Date.now();
    for (;;) {
      let lag = 0;
      for (const topic of inputTopicNames(topicNames(prefix)))
        for (const partition of await readGroupOffsets(admin, projectorGroupId(prefix), topic))
          lag += partition.lag;
      if (lag === 0) return;
      if (lag < behind) [behind, since] = [lag, Date.now()];
      if (Date.now() - since > STALLED_AFTER_MS)
        throw new Error(
          `the credit projector has not taken a message for ${STALLED_AFTER_MS / 1000} s (${lag} waiting): is it running? (npm start)`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * On a deployment where nothing was decided yet, the demo catalog (plan `brokerage` rolls
 * unused allowance over) is published from the start; otherwise the catalog stays as it is.
 */
async function demoCatalog(context: CliContext): Promise<string> {
  try {
    await publishCatalog(context, { ...DEMO_CATALOG, effectiveFrom: FROM_THE_START });
    return `published the demo catalog (${DEMO_CATALOG.version}): the brokerage rolls a quarter of its unused allowance over`;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return `the catalog was left as it is (${error.message}): the brokerage's rollover shows only if plan brokerage has a rollover rule`;
  }
}

export function demoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      "publish a realistic month for a few agencies (paid plans and top-ups, 1K/2K/4K edits, accepts, rejects, refunds, a refusal), the README's worked month, and a brokerage pool with a capped agent, in the order they happened (each wave waits for the running projector)",
    )
    .option('--agencies <count>', 'how many agencies', (value) => Number.parseInt(value, 10), 4)
    .option(
      '--events <count>',
      'how many events in the month',
      (value) => Number.parseInt(value, 10),
      400,
    )
    .option('--prefix <prefix>', 'account ids start with this', 'demo-agency')
    .action(async (options: { agencies: number; events: number; prefix: string }) =>
      withContext(async (context) => {
        const catalogNote = await demoCatalog(context);
        const month = realisticMonth({
          accounts: options.agencies,
          events: options.events,
          seed: 2026,
          accountPrefix: options.prefix,
        });
        // A small agency that asks for more than it has: the month's refusal.
        const small = `${options.prefix}-small`;
        month.push(
          wireEvent(small, 'AllowanceGranted', '2026-11-01T00:00:00Z', {
            plan: 'starter',
            credits: 3,
            periodStart: '2026-11-01T00:00:00Z',
            periodEnd: '2026-12-01T00:00:00Z',
          }),
          wireEvent(small, 'GenerationRequested', '2026-11-03T10:00:00Z', {
            generationId: 'small-twilight-4k',
            editType: 'twilight',
            resolution: '4K',
          }),
        );
        const worked = `${options.prefix}-worked`;
        month.push(...workedMonth(worked));
        const brokerage = `${options.prefix}-brokerage`;
        month.push(...brokerageMonth(brokerage));
        const kafka = await context.broker();
        const producer = kafka.producer({
          idempotent: true,
          createPartitioner: Partitioners.DefaultPartitioner,
        });
        await producer.connect();
        try {
          const prefix = context.config.kafka.topicPrefix;
          const topics = topicNames(prefix);
          const sender = new PartitionByPartitionSender(producer, kafka);
          // Wave by wave, each taken before the next: a refund is decided after its generation.
          const waves = wavesOf(
            month,
            (event) => event.subject,
            (event) => inputTopicOf(event.type),
          );
          for (const wave of waves) {
            for (const inputTopic of ['billingEvents', 'editorEvents'] as const) {
              const events = wave.filter((event) => inputTopicOf(event.type) === inputTopic);
              for (let start = 0; start < events.length; start += 500)
                await sender.send(
                  topics[inputTopic],
                  events
                    .slice(start, start + 500)
                    .map((event) => ({ key: event.subject, value: JSON.stringify(event) })),
                );
            }
            await projectorCaughtUp(kafka, prefix);
          }
        } finally {
          await producer.disconnect();
        }
        console.log(
          `published ${month.length} events for ${options.agencies + 3} agencies (${options.prefix}-0 … ${options.prefix}-${options.agencies - 1}, ${small}, ${worked}, ${brokerage}); the projector has them. Try:\n` +
            `  npm run credits -- statement --account ${options.prefix}-0 --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z\n` +
            `  npm run credits -- balances --as-of 2026-11-15T00:00:00Z\n` +
            `  npm run credits -- revenue --from 2026-11-01 --to 2026-12-01 --account ${worked}\n` +
            `  npm run credits -- revenue --from 2026-11-01 --to 2026-12-01 --by account\n` +
            `  npm run credits -- statement --account ${brokerage} --member agent-jo --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z\n` +
            `  npm run credits -- statement --account ${brokerage} --from 2026-11-20T00:00:00Z --to 2026-12-02T00:00:00Z\n` +
            `  npm run credits -- reconcile\n` +
            `  npm run credits -- projections status\n` +
            catalogNote,
        );
      }),
    );
}
