import path from 'node:path';
import { inputTopicNames } from '@credits/kafka';
import {
  asMessages,
  publishInput,
  realisticMonth,
  waitUntilConsumed,
} from '../harness/editor-events';
import { builtEntry, freePort, startNode } from '../harness/processes';
import { PROJECTOR_NODE_FLAGS } from '../harness/projector';
import { gcFigures } from './gc-trace';
import { peakRssMb } from './process-memory';
import { snapshotTableSize } from './snapshot-table';
import { recordedResult, recordResults } from './results';
import { inBenchWorkspace, runBench } from './workspace';

/**
 * End to end: editor events on Kafka → credit-projector process → durable appends in the
 * PostgreSQL event store, offsets committed. In the same run and on the same topic, a raw
 * kafkajs eachBatch consumer that does nothing, as the ceiling. Reports the projector's peak RSS.
 */
const EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? 250_000);
const ACCOUNTS = Number(process.env.BENCH_PIPELINE_ACCOUNTS ?? 100_000);
const PARTITIONS = 6;
// As npm start runs it, unless BENCH_PROJECTOR_NODE_ARGS says otherwise.
const PROJECTOR_NODE_ARGS =
  process.env.BENCH_PROJECTOR_NODE_ARGS?.split(' ').filter(Boolean) ?? PROJECTOR_NODE_FLAGS;

async function timedConsume(label: string, work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = Math.round(EVENTS / seconds);
  console.log(
    `  ${label.padEnd(44)} ${perSecond.toLocaleString('en').padStart(9)} events/s (${seconds.toFixed(1)} s)`,
  );
  return perSecond;
}

async function main(): Promise<void> {
  await inBenchWorkspace(
    'pipeline',
    PARTITIONS,
    async ({ prefix, topics, databaseUrl, kafka, kafkaAdmin }) => {
      const events = realisticMonth({ accounts: ACCOUNTS, events: EVENTS, seed: 99 });
      console.log(
        `pipeline: publishing ${EVENTS.toLocaleString('en')} events over ${ACCOUNTS.toLocaleString('en')} accounts to ${PARTITIONS} partitions…`,
      );
      await publishInput(kafka, prefix, asMessages(events));

      const rawConsumer = kafka.consumer({ groupId: `${prefix}raw` });
      const raw = await timedConsume('raw kafkajs eachBatch, no-op', async () => {
        await rawConsumer.connect();
        await rawConsumer.subscribe({ topics: inputTopicNames(topics), fromBeginning: true });
        let seen = 0;
        await rawConsumer.run({
          partitionsConsumedConcurrently: PARTITIONS,
          eachBatch: async ({ batch }) => {
            seen += batch.messages.length;
          },
        });
        while (seen < EVENTS) await new Promise((resolve) => setTimeout(resolve, 20));
      });
      // After the clock stops: disconnecting waits out the fetch in flight (kafkajs's
      // maxWaitTimeInMs, 5 s), which is not consuming. Timed with it, the no-op consumer looked
      // 7 to 8 times slower than it is (about 42,000 events/s instead of 300,000 to 360,000).
      await rawConsumer.disconnect();

      let pid = 0;
      // BENCH_PROFILE=dir writes the projector's CPU profile there.
      const profile = process.env.BENCH_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
        : [];
      // BENCH_ALLOCATION_PROFILE=dir writes what it allocates, by function, there.
      const allocations = process.env.BENCH_ALLOCATION_PROFILE
        ? ['--require', path.join(__dirname, 'allocation-profile.preload.js')]
        : [];
      // --trace-gc: what the main thread allocates and how long it collects (gc-trace.ts).
      const nodeArgs = [...PROJECTOR_NODE_ARGS, '--trace-gc', ...profile, ...allocations];
      const projector = startNode([...nodeArgs, builtEntry('credit-projector')], {
        KAFKA_TOPIC_PREFIX: prefix,
        DATABASE_URL: databaseUrl,
        PROJECTOR_METRICS_PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
      });
      // Timed from the moment it is ready: start-up is not throughput.
      await projector.waitForLine(/^credit-projector: consuming/);
      pid = projector.child.pid ?? 0;
      const fromLine = projector.stdout.length;
      const startedMs = performance.now();
      const durable = await timedConsume('credit projector, durable in PostgreSQL', async () => {
        await waitUntilConsumed(
          kafkaAdmin,
          `${prefix}credit-projector`,
          inputTopicNames(topics),
          900_000,
        );
      });
      const gc = gcFigures(projector.stdout, fromLine, projector.stdout.length);
      const gcShare = gc.gcMs / (performance.now() - startedMs);
      const allocatedPerEvent = Math.round(gc.allocatedBytes / EVENTS);
      const rss = peakRssMb(pid);
      console.log(
        `  projector main thread: ${(allocatedPerEvent / 1024).toFixed(1)} KB allocated a wire event, ` +
          `${(gcShare * 100).toFixed(1)}% of its time in GC (${gc.collections} collections)`,
      );
      await projector.stop('SIGTERM');
      const snapshots = await snapshotTableSize(databaseUrl);

      // Rebuilding a read model from the same history: finance's and ops' replay speed.
      const rebuild = startNode(
        ['dist/apps/credits-cli/src/main.js', 'projections', 'rebuild', 'ledger_lines'],
        {
          KAFKA_TOPIC_PREFIX: prefix,
          DATABASE_URL: databaseUrl,
        },
      );
      const switched = await rebuild.waitForLine(/^switched ledger_lines/, 900_000);
      const rebuildPerSecond = Number(
        /\(([\d,]+) events in [\d.]+ s, ([\d,]+) events\/s\)/
          .exec(switched)?.[2]
          ?.replace(/,/g, '') ?? 0,
      );
      await rebuild.exited;
      console.log(
        `  rebuild of ledger_lines from the history ${rebuildPerSecond.toLocaleString('en').padStart(9)} events/s ` +
          `(${(rebuildPerSecond / durable).toFixed(1)}× ingest; goal ≥ 3×)`,
      );
      const ratio = durable / raw;
      console.log(
        `  durable ÷ raw consume: ${ratio.toFixed(2)} (goal ≥ 0.25); durable ≥ 10,000 events/s goal; ` +
          `projector peak RSS ${rss} MB with ${ACCOUNTS.toLocaleString('en')} accounts (goal ≤ 400 MB); ${snapshots.text}`,
      );
      // The store bench runs before this one in npm run bench: its raw batched INSERT is the
      // ceiling of what any writer to the same PostgreSQL reaches.
      const rawInsert = recordedResult('store.raw_insert_batch100_events_per_s');
      const toRawInsert = rawInsert ? durable / rawInsert : 0;
      if (rawInsert)
        console.log(
          `  durable ÷ the store's raw batched INSERT (${rawInsert.toLocaleString('en')} events/s): ${toRawInsert.toFixed(2)} (goal ≥ 0.5)`,
        );
      recordResults({
        'pipeline.events_per_s': durable,
        'pipeline.ratio_to_raw_insert': Number(toRawInsert.toFixed(3)),
        'pipeline.raw_consume_events_per_s': raw,
        'pipeline.ratio_to_raw_consume': Number(ratio.toFixed(3)),
        'pipeline.allocated_bytes_per_event': allocatedPerEvent,
        'pipeline.gc_share': Number(gcShare.toFixed(3)),
        'pipeline.peak_rss_mb': rss,
        'pipeline.snapshot_table_mb': Number(snapshots.mb.toFixed(1)),
        'rebuild.events_per_s': rebuildPerSecond,
        'rebuild.ratio_to_ingest': Number((rebuildPerSecond / durable).toFixed(2)),
      });
    },
  );
}

runBench('pipeline', main);
