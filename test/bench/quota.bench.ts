import autocannon from 'autocannon';
import { Partitioners } from 'kafkajs';
import { asMessages, publish, realisticMonth, wireEvent } from '../harness/editor-events';
import { startProjector } from '../harness/projector';
import { startQuotaService } from '../harness/quota-service';
import { recordResults } from './results';
import { inBenchWorkspace, runBench } from './workspace';

/**
 * The quota service while the pipeline is busy (a month of editor events flowing through the
 * projector): authorization latency and, in the same run at the same load, a no-op route on the
 * same server that checks the key and the body and reads nothing; then synchronous generations.
 */
const ACCOUNTS = 500;
const CONNECTIONS = Number(process.env.BENCH_QUOTA_CONNECTIONS ?? 5);
// A steady offered load, the same for every route: latency, not the server's saturation point.
const RATE = Number(process.env.BENCH_QUOTA_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_QUOTA_SECONDS ?? 10);
// The pipeline's steady load while measuring: busy, but within what the projector keeps up with.
const BACKGROUND_PER_SECOND = Number(process.env.BENCH_QUOTA_BACKGROUND_RATE ?? 2_000);

async function measure(
  label: string,
  options: { url: string; key: string; path: (n: number) => string; body: (n: number) => object },
): Promise<number> {
  let n = 0;
  const result = await autocannon({
    url: options.url,
    connections: CONNECTIONS,
    overallRate: RATE,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          n += 1;
          return {
            ...request,
            path: options.path(n),
            headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' },
            body: JSON.stringify(options.body(n)),
          };
        },
      },
    ],
  });
  const failures =
    result.non2xx -
    (label.includes('generation') ? (result.statusCodeStats?.['402']?.count ?? 0) : 0);
  console.log(
    `  ${label.padEnd(30)} p50 ${String(result.latency.p50).padStart(4)} ms  p99 ${String(result.latency.p99).padStart(4)} ms  ` +
      `${Math.round(result.requests.average).toLocaleString('en')} req/s` +
      (failures > 0 || result.errors > 0
        ? `  (${failures} unexpected answers, ${result.errors} errors)`
        : ''),
  );
  return result.latency.p99;
}

async function main(): Promise<void> {
  await inBenchWorkspace('quota', 4, async ({ prefix, topics, databaseUrl, kafka }) => {
    const env = { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
    const projector = await startProjector(prefix, env);
    const service = await startQuotaService(prefix, env);
    try {
      const accounts = Array.from({ length: ACCOUNTS }, (_, index) => `${prefix}agency-${index}`);
      await publish(
        kafka,
        topics.editorEvents,
        asMessages(
          accounts.map((accountId, index) =>
            wireEvent(accountId, 'TopUpPurchased', new Date().toISOString(), {
              purchaseId: `p-${index}`,
              credits: 1_000_000,
            }),
          ),
        ),
      );
      while (
        (await service.call('worker', 'GET', `/accounts/${accounts.at(-1)}/balance`)).status !== 200
      )
        await new Promise((resolve) => setTimeout(resolve, 100));

      // The pipeline stays busy while everything below is measured.
      const busy = realisticMonth({
        accounts: 5_000,
        events: 1_000_000,
        seed: 5,
        accountPrefix: `${prefix}busy`,
      });
      let stopBackground = false;
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const background = (async () => {
        const perTick = Math.max(1, Math.round(BACKGROUND_PER_SECOND / 10));
        for (let start = 0; !stopBackground && start < busy.length; start += perTick) {
          await producer.send({
            topic: topics.editorEvents,
            messages: asMessages(busy.slice(start, start + perTick)).map((m) => ({ ...m })),
          });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      console.log(
        `quota service with the pipeline busy (${BACKGROUND_PER_SECOND.toLocaleString('en')} editor events/s flowing), ${RATE} requests/s over ${CONNECTIONS} connections, ${SECONDS} s each:`,
      );
      const account = (n: number) => accounts[n % ACCOUNTS] as string;
      const authorization = { editType: 'twilight', resolution: '2K' };
      const noopP99 = await measure('no-op route', {
        url: service.url,
        key: service.keys.worker,
        path: () => '/noop',
        body: () => authorization,
      });
      const authorizeP99 = await measure('authorization', {
        url: service.url,
        key: service.keys.worker,
        path: (n) => `/accounts/${account(n)}/authorizations`,
        body: () => authorization,
      });
      const generationP99 = await measure('synchronous generation', {
        url: service.url,
        key: service.keys.worker,
        path: (n) => `/accounts/${account(n)}/generations`,
        body: (n) => ({
          generationId: `bench-${n}`,
          editType: 'virtual_staging',
          resolution: '1K',
        }),
      });
      stopBackground = true;
      await background;
      await producer.disconnect();
      const ratio = authorizeP99 / Math.max(noopP99, 1);
      console.log(
        `  authorization p99 ${authorizeP99} ms (goal ≤ 5), ${ratio.toFixed(2)}× the no-op p99 (goal ≤ 2); generation p99 ${generationP99} ms (goal ≤ 100)`,
      );
      recordResults({
        'quota.authorize_p99_ms': authorizeP99,
        'quota.noop_p99_ms': noopP99,
        'quota.p99_ratio_to_noop': Number(ratio.toFixed(2)),
        'quota.generation_p99_ms': generationP99,
      });
    } finally {
      await service.process.stop('SIGTERM');
      await projector.process.stop('SIGTERM');
    }
  });
}

runBench('quota', main);
