import type { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { accountStream } from '@credits/domain/streams';
import { inputTopicNames, type TopicNames } from '@credits/kafka';
import {
  asMessages,
  publishInOrder,
  publishInput,
  realisticMonth,
  wireEvent,
  type WireEvent,
} from '../harness/editor-events';
import { startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';
import { peakRssMb } from './process-memory';
import { recordResults } from './results';
import { snapshotTableSize } from './snapshot-table';
import { inBenchWorkspace, runBench } from './workspace';

/**
 * What an account's history costs when it is not in memory: after a restart, the first decision
 * for an account of 30,001 events against one of a single event, and an as-of balance of each;
 * then a projector restarted with 100,000 accounts cached and snapshotted, and how long it
 * takes to be back at the rate it keeps with them cached.
 */
const LONG_GENERATIONS = Number(process.env.BENCH_COLD_GENERATIONS ?? 15_000);
const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 7);
const MANY_ACCOUNTS = Number(process.env.BENCH_COLD_ACCOUNTS ?? 100_000);
const SEED_EVENTS = Number(process.env.BENCH_COLD_SEED_EVENTS ?? 250_000);
const AFTER_RESTART_EVENTS = Number(process.env.BENCH_COLD_RESTART_EVENTS ?? 250_000);
const STEADY_EVENTS = Number(process.env.BENCH_COLD_STEADY_EVENTS ?? 150_000);
const PARTITIONS = 4;
// "Back at its steady rate": a window's rate at this share of the rate with everything cached.
const STEADY_SHARE = 0.9;
const WINDOW_MS = 3_000;
// 100,000 account states (~2 KB each) do not fit the old generation npm start gives the
// projector for its default cache of 20,000: this part runs it with room for them.
const MANY_NODE_FLAGS = ['--max-old-space-size=1024', '--max-semi-space-size=16'];

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** One account's history of 1 + 2 × `generations` wire events: a top-up, then each generation kept. */
function longHistory(accountId: string, generations: number): WireEvent[] {
  const startMs = Date.now() - 60 * 86_400_000;
  const at = (n: number) => new Date(startMs + n * 60_000).toISOString();
  const events = [
    wireEvent(accountId, 'TopUpPurchased', at(0), { purchaseId: 'long', credits: 10_000_000 }),
  ];
  for (let n = 0; n < generations; n += 1) {
    const generationId = `g-${n}`;
    events.push(
      wireEvent(accountId, 'GenerationRequested', at(2 * n + 1), {
        generationId,
        editType: 'virtual_staging',
        resolution: '2K',
      }),
      wireEvent(accountId, 'EditAccepted', at(2 * n + 2), { generationId }),
    );
  }
  return events;
}

/** A month of events whose ids (events, generations, purchases) are this batch's own. */
function batch(tag: string, options: Parameters<typeof realisticMonth>[0]): WireEvent[] {
  const own = (id: unknown) => (typeof id === 'string' ? `${tag}-${id}` : id);
  return realisticMonth(options)
    .filter((event) => tag === 'seed' || event.type !== 'AllowanceGranted')
    .map((event) => ({
      ...event,
      id: own(event.id) as string,
      data: Object.fromEntries(
        Object.entries(event.data).map(([key, value]) => [
          key,
          key.endsWith('Id') ? own(value) : value,
        ]),
      ),
    }));
}

async function metric(projector: ProjectorProcess, name: string): Promise<number> {
  const text = await (await fetch(projector.metricsUrl)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** The group's committed offsets, summed over both input topics. */
async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics: TopicNames,
): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId, topics: inputTopicNames(topics) });
  return committed
    .flatMap((topic) => topic.partitions)
    .reduce((sum, partition) => sum + Math.max(0, Number(partition.offset)), 0);
}

/**
 * Publishes `events` and has them consumed, sampling the group's committed offsets from the
 * moment both start: the projector is started (or already runs) while the events go out, faster
 * than it can consume them.
 */
async function consumeSampled(
  kafka: Kafka,
  admin: Admin,
  topics: TopicNames,
  prefix: string,
  events: readonly WireEvent[],
  start: () => Promise<ProjectorProcess>,
): Promise<{ projector: ProjectorProcess; samples: Sample[] }> {
  const groupId = `${prefix}credit-projector`;
  const before = await committedOffsets(admin, groupId, topics);
  const target = before + events.length;
  const started = performance.now();
  const published = publishInput(kafka, prefix, asMessages(events));
  const projector = await start();
  const samples: Sample[] = [{ atMs: 0, offsets: before }];
  for (;;) {
    const { exitCode, signalCode } = projector.process.child;
    if (exitCode !== null || signalCode !== null || performance.now() - started > 1_800_000)
      throw new Error(
        `the projector ${exitCode ?? signalCode ?? 'took over 30 min'}: ${projector.process.stdout.concat(projector.process.stderr).slice(-5).join('\n')}`,
      );
    const offsets = await committedOffsets(admin, groupId, topics);
    samples.push({ atMs: performance.now() - started, offsets });
    if (offsets >= target) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await published;
  return { projector, samples };
}

interface Sample {
  readonly atMs: number;
  readonly offsets: number;
}

/** Events per second over the `WINDOW_MS` before each sample, from the first progress to the end. */
function windowRates(samples: readonly Sample[]): { atMs: number; perSecond: number }[] {
  const first = samples[0] as Sample;
  const end = (samples.at(-1) as Sample).offsets;
  return samples.flatMap((sample) => {
    const from = [...samples].reverse().find((earlier) => earlier.atMs <= sample.atMs - WINDOW_MS);
    if (!from || sample.offsets >= end) return [];
    return [
      {
        atMs: sample.atMs,
        perSecond:
          sample.offsets === first.offsets
            ? 0
            : ((sample.offsets - from.offsets) * 1_000) / (sample.atMs - from.atMs),
      },
    ];
  });
}

async function firstDecisions(
  prefix: string,
  env: NodeJS.ProcessEnv,
  service: QuotaService,
  accounts: { long: string; short: string; warm: string[] },
): Promise<{ long: number[]; short: number[]; loads: string }> {
  const long: number[] = [];
  const short: number[] = [];
  let loads = '';
  for (let round = 0; round < ROUNDS; round += 1) {
    // A new process: nothing of any account is in its memory.
    const projector = await startProjector(prefix, env);
    try {
      // Warm the process itself (JIT, connections, partitions fetched once) on other accounts.
      for (const accountId of accounts.warm) await generate(service, accountId, `warm-${round}`);
      const order = round % 2 === 0 ? ['short', 'long'] : ['long', 'short'];
      for (const which of order) {
        const accountId = which === 'long' ? accounts.long : accounts.short;
        const { ms: took } = await timed(() => generate(service, accountId, `cold-${round}`));
        (which === 'long' ? long : short).push(took);
      }
      loads = `${await metric(projector, 'credits_projector_account_loads_total{from="snapshot"}')} loads from a snapshot, ${await metric(projector, 'credits_projector_events_folded_on_load_total')} events folded on loading`;
    } finally {
      // Stopping snapshots what the busiest accounts folded since their last snapshot.
      await projector.process.stop('SIGTERM');
    }
  }
  return { long, short, loads };
}

async function generate(service: QuotaService, accountId: string, generationId: string) {
  const answer = await service.call('worker', 'POST', `/accounts/${accountId}/generations`, {
    generationId,
    editType: 'twilight',
    resolution: '1K',
  });
  if (answer.status !== 201)
    throw new Error(`generation on ${accountId}: ${answer.status} ${answer.text}`);
}

/** Times an answer that the service may shed at first: asked again after its Retry-After. */
const SHED_RETRIES = 5;

async function asOfTimes(service: QuotaService, accountId: string, asOf: string): Promise<number> {
  const times: number[] = [];
  for (let n = 0; n < 7; n += 1) {
    // A fold of the whole history holds the event loop for most of a second, and the admission
    // gate then sheds the next request for a moment (503, Retry-After), as a client would see.
    for (let attempt = 0; ; attempt += 1) {
      const { ms: took, value } = await timed(() =>
        service.call('finance', 'GET', `/accounts/${accountId}/balance?asOf=${asOf}`),
      );
      if (value.status === 200) {
        times.push(took);
        break;
      }
      if (value.status !== 503 || attempt === SHED_RETRIES)
        throw new Error(`as-of balance: ${value.status} ${value.text}`);
      await new Promise((resolve) =>
        setTimeout(resolve, Number(value.headers['retry-after'] ?? 1) * 1_000),
      );
    }
  }
  return median(times);
}

async function main(): Promise<void> {
  await inBenchWorkspace(
    'cold',
    PARTITIONS,
    async ({ prefix, topics, databaseUrl, kafka, kafkaAdmin }) => {
      const env = { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
      const accounts = {
        long: `${prefix}long`,
        short: `${prefix}short`,
        warm: Array.from({ length: 8 }, (_, index) => `${prefix}warm-${index}`),
      };
      const history = longHistory(accounts.long, LONG_GENERATIONS);
      console.log(
        `cold: one account of ${history.length.toLocaleString('en')} wire events, one of a single event…`,
      );
      const service = await startQuotaService(prefix, env);
      const database = new Client({ connectionString: databaseUrl });
      await database.connect();
      try {
        let projector = await startProjector(prefix, env);
        // In order: the long history's generations find the credits granted before them.
        await publishInOrder(
          kafka,
          prefix,
          asMessages([
            ...history,
            ...[accounts.short, ...accounts.warm].map((accountId) =>
              wireEvent(accountId, 'TopUpPurchased', new Date().toISOString(), {
                purchaseId: 'one',
                credits: 1_000,
              }),
            ),
          ]),
          900_000,
        );
        await projector.process.stop('SIGTERM');
        const { rows } = await database.query<{ events: string }>(
          'SELECT count(*) AS events FROM es_events WHERE stream_name = $1',
          [accountStream(accounts.long)],
        );
        const decisions = await firstDecisions(prefix, env, service, accounts);
        const long = median(decisions.long);
        const short = median(decisions.short);
        console.log(
          `  first decision after a restart, median of ${ROUNDS}: ${Number(rows[0]?.events).toLocaleString('en')}-event account ${ms(long)}, ` +
            `1-event account ${ms(short)}: ${(long / short).toFixed(2)}× (goal ≤ 3×, ≤ 50 ms); ${decisions.loads} (last round)`,
        );
        console.log(
          `    each round, long: ${decisions.long.map((value) => value.toFixed(0)).join(', ')} ms; short: ${decisions.short.map((value) => value.toFixed(0)).join(', ')} ms`,
        );

        const now = new Date().toISOString();
        const asOfLong = await asOfTimes(service, accounts.long, now);
        const asOfShort = await asOfTimes(service, accounts.short, now);
        const middle = history[Math.floor(history.length / 2)]?.time as string;
        const asOfOld = await asOfTimes(service, accounts.long, middle);
        console.log(
          `  as-of balance, median of 7: now, from the newest snapshot: long ${ms(asOfLong)}, short ${ms(asOfShort)} (${(asOfLong / asOfShort).toFixed(2)}×); ` +
            `mid-history, older than any snapshot kept: long ${ms(asOfOld)}`,
        );

        // Alone on the machine from here, as the pipeline bench runs it: the quota service's
        // read models would fold the same events beside it.
        await service.process.stop('SIGTERM');

        // A projector restarted with 100,000 accounts cached and snapshotted.
        const many = {
          ...env,
          PROJECTOR_CACHED_ACCOUNTS: String(MANY_ACCOUNTS + 1_000),
        };
        const month = { accounts: MANY_ACCOUNTS, accountPrefix: `${prefix}many` };
        console.log(
          `restart: ${MANY_ACCOUNTS.toLocaleString('en')} accounts, each snapshotted (${SEED_EVENTS.toLocaleString('en')} events, a snapshot every 2)…`,
        );
        const seeded = await consumeSampled(
          kafka,
          kafkaAdmin,
          topics,
          prefix,
          batch('seed', { ...month, events: SEED_EVENTS, seed: 11 }),
          () =>
            startProjector(
              prefix,
              { ...many, PROJECTOR_SNAPSHOT_EVERY_EVENTS: '2' },
              MANY_NODE_FLAGS,
            ),
        );
        await seeded.projector.process.stop('SIGTERM');
        const snapshots = await snapshotTableSize(databaseUrl);
        console.log(`  ${snapshots.text}`);

        const restarted = await consumeSampled(
          kafka,
          kafkaAdmin,
          topics,
          prefix,
          batch('after', { ...month, events: AFTER_RESTART_EVENTS, seed: 12 }),
          () => startProjector(prefix, many, MANY_NODE_FLAGS),
        );
        projector = restarted.projector;
        const steady = await consumeSampled(
          kafka,
          kafkaAdmin,
          topics,
          prefix,
          batch('steady', { ...month, events: STEADY_EVENTS, seed: 13 }),
          async () => projector,
        );
        const rss = peakRssMb(projector.process.child.pid ?? 0);
        await projector.process.stop('SIGTERM');
        // The middle of the batch: the projector is busy all along, the events are all out.
        const steadyRate = median(
          windowRates(steady.samples)
            .filter((rate) => rate.perSecond > 0)
            .map((rate) => rate.perSecond),
        );
        const rates = windowRates(restarted.samples);
        const backAt = rates.find((rate) => rate.perSecond >= STEADY_SHARE * steadyRate)?.atMs;
        // A window past the end of the batch has no rate: the batch was all decided by then.
        const atSecond = (second: number) => {
          const rate = rates.find((window) => window.atMs >= second * 1_000);
          return rate === undefined
            ? 'all decided'
            : Math.round(rate.perSecond).toLocaleString('en');
        };
        console.log(
          `  steady rate, all cached: ${Math.round(steadyRate).toLocaleString('en')} events/s; after the restart, ${WINDOW_MS / 1_000} s windows: ` +
            `${[5, 10, 20, 30].map((second) => `${atSecond(second)} at ${second} s`).join(', ')}`,
        );
        console.log(
          `  back at ${STEADY_SHARE * 100}% of the steady rate ${backAt === undefined ? 'not within the batch' : `${(backAt / 1_000).toFixed(1)} s after the restart`} (goal ≤ 30 s); projector peak RSS ${rss} MB with ${MANY_ACCOUNTS.toLocaleString('en')} accounts cached`,
        );
        recordResults({
          'cold.first_decision_long_ms': Number(long.toFixed(1)),
          'cold.first_decision_short_ms': Number(short.toFixed(1)),
          'cold.first_decision_ratio': Number((long / short).toFixed(2)),
          'cold.as_of_long_ms': Number(asOfLong.toFixed(1)),
          'cold.as_of_short_ms': Number(asOfShort.toFixed(1)),
          'cold.as_of_ratio': Number((asOfLong / asOfShort).toFixed(2)),
          'cold.as_of_older_than_snapshots_ms': Number(asOfOld.toFixed(1)),
          'cold.snapshot_table_mb': Number(snapshots.mb.toFixed(1)),
          'cold.steady_events_per_s': Math.round(steadyRate),
          'cold.back_to_steady_s': backAt === undefined ? -1 : Number((backAt / 1_000).toFixed(1)),
          'cold.restart_peak_rss_mb': rss,
        });
      } finally {
        await service.process.stop('SIGTERM');
        await database.end();
      }
    },
  );
}

runBench('cold', main);
