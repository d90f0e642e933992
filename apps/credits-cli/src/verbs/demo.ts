import type { Command } from 'commander';
import { Partitioners } from 'kafkajs';
import { inputTopicOf } from '@credits/contract';
import { PartitionByPartitionSender, topicNames } from '@credits/kafka';
import { withContext } from '../context';
import { realisticMonth, wireEvent } from '../demo/realistic-month';

export function demoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'publish a realistic month for a few agencies (plans, top-ups, 1K/2K/4K edits, accepts, rejects, a refusal)',
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
        const kafka = await context.broker();
        const producer = kafka.producer({
          idempotent: true,
          createPartitioner: Partitioners.DefaultPartitioner,
        });
        await producer.connect();
        try {
          const topics = topicNames(context.config.kafka.topicPrefix);
          const sender = new PartitionByPartitionSender(producer, kafka);
          // Billing first: the projector takes the two topics in whatever order they come, and
          // the month's generations should find the credits bought for them.
          for (const inputTopic of ['billingEvents', 'editorEvents'] as const) {
            const events = month.filter((event) => inputTopicOf(event.type) === inputTopic);
            for (let start = 0; start < events.length; start += 500)
              await sender.send(
                topics[inputTopic],
                events
                  .slice(start, start + 500)
                  .map((event) => ({ key: event.subject, value: JSON.stringify(event) })),
              );
          }
        } finally {
          await producer.disconnect();
        }
        console.log(
          `published ${month.length} events (billing first, then usage) for ${options.agencies + 1} agencies (${options.prefix}-0 … ${options.prefix}-${options.agencies - 1}, ${small}).\n` +
            `Once the projector has them, try:\n` +
            `  npm run credits -- statement --account ${options.prefix}-0 --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z\n` +
            `  npm run credits -- balances --as-of 2026-11-15T00:00:00Z\n` +
            `  npm run credits -- reconcile\n` +
            `  npm run credits -- projections status`,
        );
      }),
    );
}
